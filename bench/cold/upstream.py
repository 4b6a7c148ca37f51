"""The upstream project's work for one `mode=set` check, done its way, in a fresh process:
import boto3, create S3 and Route 53 clients, read and parse the config, read the record.
Endpoints and credentials come from the environment (AWS_ENDPOINT_URL), as for the function.

    python3 bench/cold/upstream.py BUCKET KEY ZONE_ID RECORD_NAME
"""

import json
import sys

import boto3

bucket, key, zone_id, record_name = sys.argv[1:5]
s3 = boto3.client("s3")
route53 = boto3.client("route53")
config = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
assert record_name in config, "the host is in the config"
records = route53.list_resource_record_sets(
    HostedZoneId=zone_id, StartRecordName=record_name, StartRecordType="A", MaxItems="1"
)
print(records["ResourceRecordSets"][0]["ResourceRecords"][0]["Value"], file=sys.stderr)
