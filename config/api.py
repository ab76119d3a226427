"""The JSON API at /api/v1/ — every router of every app is mounted here."""

from ninja import NinjaAPI

from kefu.aftersales.api import router as aftersales_router
from kefu.attendance.api import router as attendance_router
from kefu.compensation.api import router as compensation_router
from kefu.complaints.api import router as complaints_router
from kefu.core.api import router as core_router
from kefu.core.apikit import AUTH, install_error_handlers
from kefu.customers.api import router as customers_router
from kefu.duty.api import router as duty_router
from kefu.fund.api import router as fund_router
from kefu.leave.api import router as leave_router
from kefu.meetings.api import router as meetings_router
from kefu.org.api import me_router
from kefu.org.api import router as org_router
from kefu.performance.api import router as performance_router
from kefu.performance.api_closing import router as month_close_router
from kefu.performance.api_scorecards import router as scorecards_router
from kefu.returns.api import router as returns_router
from kefu.sales.api import router as sales_router
from kefu.surveys.api import router as surveys_router
from kefu.swaps.api import router as swaps_router
from kefu.tickets.api import router as tickets_router
from kefu.visits.api import router as visits_router
from kefu.workforce.api import router as workforce_router

api = NinjaAPI(
    title="Kefu 客服中心管理系统 API",
    version="1.0.0",
    description="JSON API of Kefu. Authenticate with a session cookie (+ CSRF) or "
    "`Authorization: Bearer <personal API token>`. Errors are `{code, message, fields}`. "
    "POST endpoints that create records accept an `Idempotency-Key` header.",
    auth=AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", me_router)
api.add_router("/org", org_router)
api.add_router("/customers", customers_router)
api.add_router("/tickets", tickets_router)
api.add_router("/complaints", complaints_router)
api.add_router("/aftersales", aftersales_router)
api.add_router("/returns", returns_router)
api.add_router("/visits", visits_router)
api.add_router("/surveys", surveys_router)
api.add_router("/workforce", workforce_router)
api.add_router("/leave", leave_router)
api.add_router("/swaps", swaps_router)
api.add_router("/attendance", attendance_router)
api.add_router("/duty", duty_router)
api.add_router("/meetings", meetings_router)
api.add_router("/performance", performance_router)
api.add_router("/scorecards", scorecards_router)
api.add_router("/month-close", month_close_router)
api.add_router("/fund", fund_router)
api.add_router("/compensation", compensation_router)
api.add_router("/sales", sales_router)
api.add_router("/", core_router)
