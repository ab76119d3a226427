from django.core.management.base import BaseCommand

from kefu.core.policy import load_default_policies


class Command(BaseCommand):
    help = (
        "Store the default policy (default_policy.toml) as version 1 of every domain that has none."
    )

    def handle(self, *args, **options):
        created = load_default_policies()
        if created:
            self.stdout.write(self.style.SUCCESS(f"已加载默认制度参数：{', '.join(created)}"))
        else:
            self.stdout.write("所有领域已有制度参数，无需加载")
