"""Drop the single-column indexes of four foreign keys of tickets_ticket that a composite index
leading with the same column already serves (ticket_customer_idx, ticket_owner_status_idx,
ticket_dept_status_idx, ticket_team_status_idx): each index is one more write per new request.

Only the indexes go (DROP INDEX, same names on SQLite and PostgreSQL): letting AlterField do it
would drop and re-add the foreign-key constraints, re-checking every row of a table of millions.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("org", "0002_approvalstep"),
        ("tickets", "0003_service_ladder_red_flag_offline_message"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="customers.customer",
                        verbose_name="客户",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="department",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.department",
                        verbose_name="所属部门",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_tickets",
                        to="org.employee",
                        verbose_name="处理人",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.team",
                        verbose_name="所属班组",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_customer_id_f2d9135a"',
                    'CREATE INDEX "tickets_ticket_customer_id_f2d9135a" ON "tickets_ticket" ("customer_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_department_id_32e39a8e"',
                    'CREATE INDEX "tickets_ticket_department_id_32e39a8e" ON "tickets_ticket" ("department_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_owner_id_40236788"',
                    'CREATE INDEX "tickets_ticket_owner_id_40236788" ON "tickets_ticket" ("owner_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_team_id_5a4e7469"',
                    'CREATE INDEX "tickets_ticket_team_id_5a4e7469" ON "tickets_ticket" ("team_id")',
                ),
            ],
        ),
    ]
