"""Vocabulary for ``seed_tickets`` — 工单测试数据词库: Chinese titles, descriptions and numbers.

Texts are built from small word lists so a keyword search sees realistic selectivity: a defect
such as 漏水 appears in roughly 1–2 % of the requests, a product such as 扫地机器人 in about 1 %,
common words such as 客户 in nearly all of them. Kept apart from the command so the command
stays readable; the leading underscore keeps Django from listing this module as a command.
"""

from __future__ import annotations

import random

from kefu.org.management.commands.seed_scale import CITIES as SCALE_CITIES

PRODUCTS = [
    "空气净化器",
    "扫地机器人",
    "电热水壶",
    "电饭煲",
    "破壁机",
    "加湿器",
    "吹风机",
    "电动牙刷",
    "蓝牙耳机",
    "智能手表",
    "路由器",
    "投影仪",
    "洗碗机",
    "微波炉",
    "电烤箱",
    "空调扇",
    "取暖器",
    "净水器",
    "热水器",
    "油烟机",
    "燃气灶",
    "洗衣机",
    "冰箱",
    "电视机",
    "平板电脑",
    "笔记本电脑",
    "充电宝",
    "智能门锁",
    "摄像头",
    "台灯",
    "床垫",
    "沙发",
    "办公椅",
    "书桌",
    "衣柜",
    "儿童安全座椅",
    "婴儿推车",
    "电动自行车",
    "行车记录仪",
    "咖啡机",
    "榨汁机",
    "电磁炉",
    "电压力锅",
    "挂烫机",
    "除湿机",
    "落地扇",
    "按摩椅",
    "跑步机",
    "剃须刀",
    "体脂秤",
]
DEFECTS = [
    "无法开机",
    "不加热",
    "漏水",
    "噪音很大",
    "屏幕碎裂",
    "外壳破损",
    "充电很慢",
    "自动断电",
    "有焦糊异味",
    "遥控失灵",
    "连不上网络",
    "指示灯不亮",
    "显示故障代码E3",
    "按键失灵",
    "电池鼓包",
    "少了配件",
    "颜色与图片不符",
    "尺寸不对",
    "安装孔位不对",
    "使用一周后开裂",
    "温度忽高忽低",
    "漏电跳闸",
    "电机卡死",
    "APP无法绑定",
]
ACCESSORIES = [
    "电源线",
    "遥控器",
    "滤网",
    "说明书",
    "保修卡",
    "安装支架",
    "螺丝包",
    "充电底座",
    "替换刷头",
    "收纳袋",
]
PLATFORMS = [
    "天猫旗舰店",
    "京东自营店",
    "拼多多官方店",
    "抖音直播间",
    "官网商城",
    "线下门店",
    "微信小程序",
]
COURIERS = ["顺丰", "中通", "圆通", "韵达", "京东物流", "申通", "EMS", "德邦"]
# The same 30 cities as the scale company (seed_scale), so customers live where its centres are.
CITIES = list(SCALE_CITIES)
REGIONS = {
    "华北": "北京 天津 石家庄 太原",
    "华东": "上海 杭州 南京 苏州 合肥 济南 青岛 福州 厦门 南昌",
    "华南": "广州 深圳 南宁",
    "华中": "武汉 长沙 郑州",
    "西南": "成都 重庆 昆明 贵阳",
    "西北": "西安 兰州",
    "东北": "沈阳 大连 哈尔滨 长春",
}
REGION_OF = {city: region for region, cities in REGIONS.items() for city in cities.split()}
DISTRICTS = [
    "朝阳区",
    "浦东新区",
    "天河区",
    "南山区",
    "西湖区",
    "武侯区",
    "洪山区",
    "鼓楼区",
    "雁塔区",
    "渝中区",
]
WHEN = [
    "昨天",
    "前天",
    "上周",
    "上周末",
    "三天前",
    "本月初",
    "上个月",
    "双十一期间",
    "618活动期间",
    "春节前",
]
FEATURES = [
    "定时预约",
    "语音控制",
    "童锁",
    "夜间静音",
    "远程控制",
    "自动清洁",
    "节能模式",
    "滤网提醒",
]
OPERATIONS = [
    "清洗滤网",
    "重置网络",
    "更换电池",
    "调节温度",
    "连接手机",
    "升级固件",
    "拆卸清洁",
    "设置定时",
]
PROMOTIONS = ["满减", "以旧换新", "会员折扣", "分期免息", "赠品", "延保"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华燕婷雪慧鑫宇欣涵浩然桐思远佳琪志豪梦洁文博嘉怡"
)
COMPANY_WORDS = [
    "恒信",
    "宏达",
    "美佳",
    "新世纪",
    "顺达",
    "金诚",
    "海纳",
    "华联",
    "鼎盛",
    "百汇",
    "瑞丰",
    "安居",
    "嘉禾",
    "中恒",
    "锦程",
]
COMPANY_KINDS = [
    "建材有限公司",
    "家居有限公司",
    "装饰工程有限公司",
    "百货商行",
    "五金经营部",
    "酒店管理有限公司",
    "电器商行",
]
OPENERS = {  # by 受理渠道: how the customer told us
    "hotline": ("客户来电反映，", "客户致电表示，"),
    "online_chat": ("客户在线咨询称，", "客户在旺旺留言称，"),
    "web_form": ("客户在官网留言称，",),
    "email": ("客户来信说明，", "客户邮件反映，"),
    "letter": ("客户来信说明，",),
    "fax": ("客户传真反映，",),
    "visit": ("客户到访反映，",),
    "store": ("门店转来客户反映，", "客户到店反映，"),
    "staff_referral": ("同事转来客户反映，",),
}
DEMANDS = {
    "return": ("要求退货退款", "要求全额退款", "要求退货并承担运费"),
    "exchange": ("要求换新", "要求更换同款新机", "要求换成其他颜色"),
    "repair": ("要求上门维修", "希望尽快安排维修", "要求寄修并提供备用机"),
    "repair_report": ("要求安排师傅上门检测", "希望今天有人联系上门"),
    "chase": ("要求尽快发货", "要求提供准确的到货时间", "要求催促快递派送"),
    "short_shipped": ("要求补发配件", "要求尽快补发"),
    "damaged": ("要求补发新品", "要求赔偿损失", "要求退货退款"),
    "address_change": ("要求修改收货地址",),
    "add_items": ("要求合并发货", "要求按原订单优惠价格加购"),
    "complaint": ("要求书面道歉", "要求赔偿损失", "要求处理相关人员", "要求三天内给出处理结果"),
    "inquiry": ("希望尽快回复", "请客服回电说明", "希望发送详细说明"),
    "suggestion": (
        "希望公司采纳",
        "希望转交产品部门",
    ),
    "praise": ("希望公司给予表扬", "请转达感谢"),
}
EXTRAS = (
    "已提供照片和视频。",
    "客户情绪比较激动。",
    "客户表示已经第二次来电。",
    "订单信息已核实。",
    "客户希望下午联系。",
    "已告知处理流程和时限。",
    "客户是老顾客，多次购买。",
    "",
    "",
    "",
)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def company_name(rng: random.Random) -> str:
    return rng.choice(CITIES) + rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_KINDS)


def region(city: str) -> str:
    return f"{REGION_OF.get(city, '华东')}·{city}"


def order_no(rng: random.Random, platform: str) -> str:
    """An order number shaped like the platform's own (淘宝/天猫 19 digits, 京东 12, …)."""
    if platform.startswith("天猫") or platform.startswith("抖音"):
        return f"{rng.randrange(10**18, 10**19)}"
    if platform.startswith("京东"):
        return f"{rng.randrange(10**11, 10**12)}"
    if platform.startswith("拼多多"):
        return f"{rng.randrange(10**5, 10**6)}-{rng.randrange(10**14, 10**15)}"
    return f"GW{rng.randrange(10**13, 10**14)}"


def tracking_no(rng: random.Random, courier: str) -> str:
    prefixes = {"顺丰": "SF", "圆通": "YT", "京东物流": "JDV", "申通": "ST", "德邦": "DPK"}
    prefix = prefixes.get(courier, "")
    if courier == "EMS":
        return f"E{rng.randrange(10**10, 10**11)}CN"
    if prefix:
        return f"{prefix}{rng.randrange(10**12, 10**13)}"
    return f"{rng.randrange(7 * 10**13, 8 * 10**13)}"


def ticket_text(
    rng: random.Random, kind: str, subkind: str, channel: str = "hotline"
) -> tuple[str, str, str]:
    """(title, description, demand) for a request of ``kind``/``subkind`` received by ``channel``."""
    product = rng.choice(PRODUCTS)
    platform = rng.choice(PLATFORMS)
    when = rng.choice(WHEN)
    opener = rng.choice(OPENERS.get(channel, OPENERS["hotline"]))
    extra = rng.choice(EXTRAS)
    key = subkind or kind
    demand = rng.choice(DEMANDS.get(key, DEMANDS["inquiry"]))
    if kind == "after_sales":
        defect = rng.choice(DEFECTS)
        action = {"return": "申请退货", "exchange": "申请换货", "repair": "申请维修"}.get(
            subkind, "报修"
        )
        title = f"{product}{defect}，{action}"
        body = f"{opener}{when}在{platform}购买的{product}{defect}，已按说明书操作仍无法解决，{demand}。"
    elif kind == "order_issue":
        courier = rng.choice(COURIERS)
        if subkind == "chase":
            days = rng.randint(2, 9)
            title = f"{product}下单{days}天未收到货"
            body = f"{opener}{when}在{platform}下单的{product}，{courier}物流信息{days}天没有更新，{demand}。"
        elif subkind == "short_shipped":
            part = rng.choice(ACCESSORIES)
            title = f"{product}少发{part}"
            body = f"{opener}收到的{product}包裹里缺少{part}，外包装完好，{demand}。"
        elif subkind == "damaged":
            title = f"{product}运输途中损坏"
            body = f"{opener}{courier}送达的{product}外箱破损，{rng.choice(DEFECTS)}，已拒收或拍照留证，{demand}。"
        elif subkind == "address_change":
            city = rng.choice(CITIES)
            title = f"订单修改收货地址到{city}"
            body = f"{opener}{platform}订单的{product}尚未发货，需要把收货地址改为{city}{rng.choice(DISTRICTS)}，{demand}。"
        else:
            title = f"{product}订单加购"
            body = (
                f"{opener}{platform}订单还没发货，想再加{rng.randint(1, 5)}件{product}，{demand}。"
            )
    elif kind == "complaint":
        target = rng.choice(
            (
                f"{product}维修三次仍未修好",
                "客服承诺回电却没有回电",
                f"{rng.choice(COURIERS)}快递员未送货上门",
                f"退款{rng.randint(5, 20)}天仍未到账",
                f"安装师傅迟到{rng.randint(2, 5)}小时",
                "门店销售人员服务态度差",
                f"{product}宣传与实际不符",
            )
        )
        title = f"投诉：{target}"
        body = f"{opener}{when}购买{product}后{target}，对处理结果很不满意，{demand}。"
    elif kind == "suggestion":
        feature = rng.choice(FEATURES)
        title = f"建议{product}增加{feature}功能"
        body = f"{opener}使用{product}一段时间，建议增加{feature}功能，另外希望热线延长服务时间，{demand}。"
    elif kind == "praise":
        name = person_name(rng)
        title = f"表扬客服{name}服务耐心"
        body = f"{opener}客服{name}在处理{product}问题时耐心细致、回复及时，{demand}。"
    else:
        topic = rng.choice(
            (
                f"{product}的保修期多久",
                f"{product}怎么{rng.choice(OPERATIONS)}",
                f"{product}是否支持{rng.choice(FEATURES)}",
                f"购买{product}如何开具发票",
                f"{product}有没有{rng.choice(PROMOTIONS)}活动",
                f"{rng.choice(CITIES)}哪里有线下门店可以体验{product}",
            )
        )
        title = f"咨询{topic}"
        body = f"{opener}想了解{topic}，{demand}。"
    return title, body + extra, demand


RED_FLAG_NOTES = (
    "客户要求只在工作日下午联系",
    "老年客户，请耐心解释",
    "客户已投诉过一次，务必当天回复",
    "大客户指定专人对接",
)
REPLIES = (
    "已向客户说明处理流程和预计时间，客户表示理解。",
    "已联系仓库核实，承诺两个工作日内给客户答复。",
    "已安排售后师傅上门，时间已与客户确认。",
    "已为客户办理退款，预计三到五个工作日到账。",
    "已补发配件并告知客户快递单号。",
    "已将客户意见转交产品部门，并感谢客户的建议。",
    "已电话回复客户，问题已解决。",
)
