from django.core.management.base import BaseCommand, CommandError

from kefu.core.audit import verify_chain
from kefu.core.models import AuditEvent


class Command(BaseCommand):
    help = "Recompute the audit hash chain (SEC-3); exit 1 with the first bad sequence number."

    def handle(self, *args, **options):
        total = AuditEvent.objects.count()
        broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"审计链校验失败：序号 {broken.seq}：{broken.problem}（共 {total} 条）"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {total} 条记录"))
