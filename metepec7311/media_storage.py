"""Where uploaded photos live: the local disk (MEDIA_ROOT) by default, or an S3-compatible
bucket (AWS S3, MinIO, DigitalOcean Spaces…) through django-storages when MEDIA_BUCKET is set,
so that every host serving the portal reads the same photos.

Links are plain URLs, with no expiring signature, because public pages are cached; so the
bucket, or a CDN in front of it (MEDIA_S3_CUSTOM_DOMAIN), must let anyone read the `media/`
prefix. File names are random (tickets/models/ticket.py). Credentials come from
MEDIA_S3_ACCESS_KEY_ID / MEDIA_S3_SECRET_ACCESS_KEY, or boto3's own chain (an instance role).
Read by settings.py: no Django import here (botocore only when a bucket is used).
"""


def default_storage_from(environ):
    bucket = environ.get("MEDIA_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("MEDIA_S3_REGION") or None,
            "access_key": environ.get("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": environ.get("MEDIA_S3_CUSTOM_DOMAIN") or None,
            "location": "media",
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": environ.get("MEDIA_S3_ACL") or None,  # e.g. public-read, where ACLs are used
            "object_parameters": {"CacheControl": "public, max-age=86400"},
            # A bucket that does not answer fails a request in seconds, not minutes: the report
            # is then saved without its photos (tickets/lifecycle/common.py, stored_photos).
            "client_config": Config(
                connect_timeout=3, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"}
            ),
        },
    }
