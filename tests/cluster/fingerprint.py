#!/usr/bin/env python3
"""What a deployment holds, as one line per table and per object, for the drill's backup step:
`table NAME ROWS SHA256` (of the rows, order-independent) and `object KEY SHA256` (every object
outside backups/). Two fingerprints are equal exactly when the rows and the object bytes are.

usage: fingerprint.py MARIADB_SOCKET DATABASE S3_ENDPOINT BUCKET
"""
import hashlib
import subprocess
import sys

import botocore.session

sock, database, endpoint, bucket = sys.argv[1:5]


def q(sql):
    out = subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", database, "-e", sql],
                         check=True, capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l]


for (table,) in (l.split("\t") for l in q(
        f"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA='{database}' ORDER BY TABLE_NAME")):
    # A restore applies the schema anew: which migrations, not when, is the content there.
    cols = "version, name" if table == "schema_migrations" else "*"
    rows = sorted(q(f"SELECT {cols} FROM `{table}`"))
    print("table", table, len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())

s3 = botocore.session.get_session().create_client("s3", endpoint_url=endpoint, region_name="us-east-1",
                                                  aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER")
keys, token = [], None
while True:
    r = s3.list_objects_v2(Bucket=bucket, **({"ContinuationToken": token} if token else {}))
    keys += [o["Key"] for o in r.get("Contents", []) if not o["Key"].startswith("backups/")]
    if not r.get("IsTruncated"):
        break
    token = r["NextContinuationToken"]
if len(sys.argv) > 5 and sys.argv[5] == "wipe":  # delete every object outside backups/
    for k in keys:
        s3.delete_object(Bucket=bucket, Key=k)
    sys.exit(0)
for k in sorted(keys):
    body = s3.get_object(Bucket=bucket, Key=k)["Body"].read()
    print("object", k, hashlib.sha256(body).hexdigest())
