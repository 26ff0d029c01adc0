"""The site's pages: the playground (/play) and its output frame, home, help and error pages.

It reads the Vite build of frontend/ (``frontend_build``), hosts it on /play and hands
the notebook pages of other apps what their script needs (``host_page``). The
templates every page extends (``base.html``) and the site's own static files
(``site.css``, ``theme.js``) live here too.
"""
