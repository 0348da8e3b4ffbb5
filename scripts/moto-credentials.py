"""Make moto check credentials like S3: run by scripts/s3-server.sh against a fresh
moto_server started with INITIAL_NO_AUTH_ACTION_COUNT=3, it spends those three
unauthenticated actions on an IAM user, its access key and an allow-all policy,
then creates the test bucket with that key and prints "ACCESS_KEY SECRET_KEY".
From then on moto rejects unknown keys and bad signatures (403)."""
import json
import sys

import boto3

endpoint, bucket = sys.argv[1], sys.argv[2]
anonymous = {"endpoint_url": endpoint, "region_name": "us-east-1",
             "aws_access_key_id": "bootstrap", "aws_secret_access_key": "bootstrap"}
iam = boto3.client("iam", **anonymous)
iam.create_user(UserName="npystore")
key = iam.create_access_key(UserName="npystore")["AccessKey"]
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
iam.put_user_policy(UserName="npystore", PolicyName="all", PolicyDocument=json.dumps(policy))
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket=bucket)
print(key["AccessKeyId"], key["SecretAccessKey"])
