"""The member–officer protocol: the document as data, the guide, and rules over real actions."""
