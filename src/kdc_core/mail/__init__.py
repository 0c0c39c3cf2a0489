"""Mail: the outbox every message goes through, the dispatcher that sends it, and the
mailers plugins register."""
