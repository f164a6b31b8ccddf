"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/: discovery,
services and their definitions, requests (read, and created with an api_key), tokens; every
endpoint in JSON and XML (`.json` / `.xml` suffix).

Services are the request categories, attributes their questions; requests are created through
services.submit_request (channel "api"), so an app's request is the same as a web one: same
checks, same queue, same e-mail confirmation. What is read is service_requests.public's: confirmed
requests, public events only, approved photos only, never who reported.

    keys.py             api_keys: made, hashed, looked up
    responses.py        one answer in either format; Open311Error, the spec's error list
    xml.py              the spec's XML from the same Python data as the JSON
    representations.py  discovery, services, service definitions, requests as plain data
    queries.py          GET requests' parameters: ids, codes, dates, status, paging
    submission.py       POST requests' parameters turned into a submit_request call
    views.py, urls.py   thin views and their routes
"""
