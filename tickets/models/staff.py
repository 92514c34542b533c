from django.conf import settings
from django.db import models


class StaffProfile(models.Model):
    """Links a staff user to the department whose tickets they work."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    department = models.ForeignKey(
        "tickets.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name="dependencia",
    )

    class Meta:
        verbose_name = "perfil de personal"
        verbose_name_plural = "perfiles de personal"

    def __str__(self):
        return f"{self.user} · {self.department or 'sin dependencia'}"
