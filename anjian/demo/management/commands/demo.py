from django.core.management.base import BaseCommand, CommandError

from anjian.demo.generator import build_demo, database_is_empty, stderr_progress


class Command(BaseCommand):
    help = "Build the fictional demo county (deterministic from --seed) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=600)
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (exit 0) when the database already holds data.",
        )

    def handle(self, *args, enterprises: int, seed: int, if_empty: bool, **options):
        if enterprises < 1:
            raise CommandError("--enterprises must be at least 1")
        if not database_is_empty():
            if if_empty:
                self.stdout.write(
                    "数据库已有数据，跳过演示数据加载。(database not empty, demo skipped)"
                )
                return
            raise CommandError("The database already holds data; the demo loads into an empty one.")
        report = build_demo(enterprises=enterprises, seed=seed, progress=stderr_progress)
        self.stdout.write(
            f"已生成演示县：{report.enterprises} 家企业，用时 {report.seconds:.1f} 秒"
            f"（{report.rate:.0f} 家/秒）"
        )
