"""The library record (issue 16): a citizen's library cards and their household's, the live
record from the library's own system (loans, holds, fines), renewals.

- connectors/: one small interface (base.py: patron_info, item_info, renew) and its SIP2
  implementation (sip2.py), so that a Koha REST connector can come later;
- the card's PIN is never stored: typed once per session, kept encrypted in the server-side
  session for 15 minutes (pins.py weighs this against a prompt per call and a cookie);
- never slow, never down because of the library (resilience.py): one deadline per call, a
  circuit breaker and a few minutes' cache of records, both in the shared cache; the dashboard
  and /api/me/ read only that cache (selectors.lines), so they never wait for the library;
- privacy: the database holds the card's number (needed to ask the system) and its last four
  digits, never a title; the access log says a record was viewed, not what it holds; only staff
  with the library desk's permission see a citizen's record."""
