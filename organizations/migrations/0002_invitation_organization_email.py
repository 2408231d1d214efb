import django.db.models.deletion
from django.db import migrations, models


def copy_from_membership(apps, schema_editor):
    Invitation = apps.get_model("organizations", "Invitation")
    for invitation in Invitation.objects.select_related("membership"):
        invitation.organization_id = invitation.membership.organization_id
        invitation.email = invitation.membership.email
        invitation.save(update_fields=["organization", "email"])


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="organization",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="organizations.organization",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="email",
            field=models.EmailField(default="", max_length=254),
            preserve_default=False,
        ),
        migrations.RunPython(copy_from_membership, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitation",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="organizations.organization",
            ),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="membership",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="invitations",
                to="organizations.membership",
            ),
        ),
    ]
