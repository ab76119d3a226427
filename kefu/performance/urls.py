"""绩效奖惩 pages — mounted at /performance/: the ledger (奖惩台账, 申诉, 奖惩条目), score cards
(考核计分卡) and the month close (月结, 奖罚通知单, 人事公布单, 工资核算表)."""

from . import urls_closing, urls_ledger, urls_scorecards

app_name = "performance"

urlpatterns = [
    *urls_ledger.urlpatterns,
    *urls_scorecards.urlpatterns,
    *urls_closing.urlpatterns,
]
