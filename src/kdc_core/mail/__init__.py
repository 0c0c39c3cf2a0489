"""Mail: everything kdc-core sends, and how.

- :mod:`~kdc_core.mail.outbox`: messages queued in the same transaction as the change that
  causes them, each under an idempotency key;
- :mod:`~kdc_core.mail.dispatch`: sending what is queued, exactly once, from any host;
- :mod:`~kdc_core.mail.letters`: the one layout every message uses (HTML and plain text);
- :mod:`~kdc_core.mail.addresses`: one valid email address per person;
- :mod:`~kdc_core.mail.values`: the topic menu and :class:`~kdc_core.mail.values.Recipient`;
- :mod:`~kdc_core.mail.topics`: who receives which topic, and when they last reviewed it;
- :mod:`~kdc_core.mail.message`: a message's bytes (MIME, encoded headers);
- :mod:`~kdc_core.mail.delivery`: :class:`~kdc_core.mail.delivery.Mailer`, the delivery method
  plugins register, and picking one.
"""
