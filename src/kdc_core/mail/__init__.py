"""Mail to councillors, shared by newsletters and briefings.

- :mod:`~kdc_core.mail.values`: the topic menu and :class:`~kdc_core.mail.values.Recipient`;
- :mod:`~kdc_core.mail.topics`: who receives which topic, and when they last reviewed it;
- :mod:`~kdc_core.mail.message`: a message's bytes (MIME, encoded headers);
- :mod:`~kdc_core.mail.delivery`: :class:`~kdc_core.mail.delivery.Mailer`, the delivery method
  plugins register, and picking one.
"""
