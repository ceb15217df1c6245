#!/usr/bin/python3
"""Signs a table of S3 requests with botocore's SigV4 signer (the reference the C++ signer is
checked against). Reads JSON cases from argv[1], writes results as JSON to stdout.

Each case gives the request's raw parts (bucket, key, query parameters unencoded); the URL is
built here with botocore's own encoder, so our URL building is checked too, not only signing.
Needs Debian's python3-botocore: run with /usr/bin/python3.
"""
import datetime as _dt
import json
import sys
import types

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode


def fixed_clock(unix_time):
    class FixedDateTime(_dt.datetime):
        @classmethod
        def utcnow(cls):
            return cls.utcfromtimestamp(unix_time)

    # botocore.auth reads the time as datetime.datetime.utcnow() inside add_auth.
    botocore.auth.datetime = types.SimpleNamespace(datetime=FixedDateTime)


def sign(case):
    fixed_clock(case["time"])
    scheme, host = case["scheme"], case["endpoint_host"]
    bucket, key = case["bucket"], case["key"]
    # Same rules as botocore's REST-XML serializer: {Bucket} fully encoded, {Key+} keeps "/" and "~".
    if case["path_style"]:
        path = "/" + percent_encode(bucket)
        if key:
            path += "/" + percent_encode(key, safe="/~")
    else:
        host = bucket + "." + host
        path = "/" + percent_encode(key, safe="/~")
    url = f"{scheme}://{host}{path}"
    body = bytes.fromhex(case["body_hex"])
    request = AWSRequest(
        method=case["method"],
        url=url,
        data=body,
        params=[tuple(p) for p in case["params"]] or None,
    )
    for name, value in case["headers"]:
        request.headers[name] = value  # appends: repeated names stay repeated
    creds = Credentials(case["access_key"], case["secret_key"], case["token"] or None)
    botocore.auth.S3SigV4Auth(creds, "s3", case["region"]).add_auth(request)
    return {
        "name": case["name"],
        "url_path": path,
        "authorization": request.headers["Authorization"],
        "x-amz-date": request.headers["X-Amz-Date"],
        "x-amz-content-sha256": request.headers["X-Amz-Content-SHA256"],
        "x-amz-security-token": request.headers.get("X-Amz-Security-Token", ""),
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    json.dump([sign(c) for c in cases], sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
