from django.db import models


class ReferenceRecord(models.Model):
    """A ledger of the reference-data rows already loaded.

    A row that was loaded once is never touched again, so staff edits (and deletions) in
    the admin survive every reload.
    """

    dataset = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField(null=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "key"], name="uniq_reference_row")]

    def __str__(self):
        return f"{self.dataset}:{self.key}"
