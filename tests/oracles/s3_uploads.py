"""List (or abort) the pending multipart uploads under a prefix of an S3 bucket:
object_store has no ListMultipartUploads, so the Rust tests ask boto3 (run with
$NPYSTORE_S3_ADMIN_PYTHON, the moto virtualenv's python; scripts/s3-server.sh).
    s3_uploads.py list|abort ENDPOINT BUCKET PREFIX
Credentials come from NPYSTORE_S3_ACCESS_KEY / NPYSTORE_S3_SECRET_KEY. Prints one
line per pending upload ("key upload-id"), after aborting it with `abort`."""
import os
import sys

import boto3

action, endpoint, bucket, prefix = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=os.environ["NPYSTORE_S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["NPYSTORE_S3_SECRET_KEY"])
pages = s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=prefix)
for page in pages:
    for upload in page.get("Uploads", []):
        if action == "abort":
            s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        print(upload["Key"], upload["UploadId"])
