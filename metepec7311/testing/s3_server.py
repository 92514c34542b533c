"""A real S3-compatible server for tests: moto's server mode in its own process, on a free
port, with a bucket whose `media/` prefix anyone may read (as the README asks of production)."""

import json
import shutil
import socket
import subprocess
import sys
import time

from metepec7311.testing.redis_server import free_port

ACCESS_KEY, SECRET_KEY = "metepec-test", "metepec-test-secret"


class S3Server:
    def __init__(self, bucket="fotos-7311"):
        self.bucket = bucket
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    @staticmethod
    def available():
        try:
            import boto3  # noqa: F401
            import flask  # noqa: F401  (moto's server mode)
            import moto  # noqa: F401
        except ImportError:
            return False
        return shutil.which(sys.executable) is not None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("moto server did not start")
        client = self.client()
        client.create_bucket(Bucket=self.bucket)
        public_read = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{self.bucket}/media/*",
                }
            ],
        }
        client.put_bucket_policy(Bucket=self.bucket, Policy=json.dumps(public_read))
        return self

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def keys(self):
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in listing.get("Contents", [])]

    def environment(self):
        """The variables an operator sets to use this bucket (README, production)."""
        return {
            "MEDIA_BUCKET": self.bucket,
            "MEDIA_S3_ENDPOINT_URL": self.url,
            "MEDIA_S3_REGION": "us-east-1",
            "MEDIA_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "MEDIA_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
