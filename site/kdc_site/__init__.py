"""The people's site: pages for councillors, the council's staff and the public.

A Flask blueprint package beside the admin, sharing its app factory, sign-in and the core's
services. Styled with the GOV.UK Design System: ``govuk-frontend``'s styles are built into
``static/`` at package time (``npm run build:site``) and its components are rendered with the
``govuk-frontend-jinja`` macros. Views only gather values from the core's services and render
them; no business rule lives here.
"""

from __future__ import annotations
