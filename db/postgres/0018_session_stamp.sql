-- A person's session stamp: every sign-in cookie carries it and every request checks it against this row, so
-- signing out (which replaces it) ends every cookie issued before, on every instance. Empty until the person next
-- signs in; a cookie issued before this migration carries none and is refused.
ALTER TABLE app_user ADD COLUMN session_stamp text NOT NULL DEFAULT '';
