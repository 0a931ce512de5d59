"""Chinese words of common business data with the English words schemas name them by.

Schemas are mostly named in English, also in China, and the embedding model (all-MiniLM-L6-v2) reads
English only; so a question in Chinese finds little by itself. The schema search adds the English words
of the terms it finds here to the question before matching names and embedding it. The terms are
generic — people, trade, money, stock, delivery, staff, support, time — not any one schema's; a
multilingual embedding model would make this list unnecessary (docs/benchmarks.md)."""

import re

GLOSSARY: dict[str, str] = {
    # people and accounts
    "客户": "customer", "顾客": "customer", "买家": "customer buyer", "用户": "user", "账户": "account",
    "账号": "account", "会员": "member loyalty tier", "等级": "level tier", "金卡": "gold",
    "银卡": "silver",
    "白金": "platinum", "企业": "enterprise company", "公司": "company", "个人": "consumer personal",
    "注册": "signed up registered", "营销": "marketing", "邮件": "email", "电话": "phone",
    "地址": "address",
    "姓名": "name", "名字": "name", "名称": "name",
    # trade
    "订单": "order", "下单": "order placed", "订购": "ordered order", "购买": "purchase order",
    "销售": "sales sold",
    "卖出": "sold", "售出": "sold", "销量": "quantity sold", "产品": "product", "商品": "product item",
    "货品": "product", "类别": "category", "分类": "category", "类目": "category",
    "子类": "subcategory parent",
    "品牌": "brand", "价格": "price", "单价": "unit price", "成本": "cost", "折扣": "discount",
    "促销": "promotion", "优惠": "promotion discount", "优惠券": "coupon promotion code",
    "活动": "campaign promotion",
    "渠道": "channel", "评价": "review rating", "评论": "review", "评分": "rating review",
    "星": "rating star",
    "购物车": "cart", "发票": "invoice",
    # money
    "收入": "revenue amount", "营收": "revenue", "销售额": "sales revenue amount",
    "金额": "amount total",
    "总额": "total amount", "利润": "profit margin price cost", "利润率": "margin profit",
    "支付": "payment",
    "付款": "payment paid", "支付方式": "payment method", "退款": "refund", "预算": "budget",
    "工资": "salary", "薪水": "salary", "薪资": "salary", "费用": "fee cost", "余额": "balance",
    "交易": "transaction", "币种": "currency",
    # stock and delivery
    "库存": "inventory stock quantity", "存货": "inventory stock", "仓库": "warehouse",
    "补货": "reorder",
    "供应商": "supplier", "供货": "supplier", "进货": "purchase supplier", "发货": "shipment shipped",
    "物流": "shipment carrier delivery", "快递": "shipment carrier", "承运": "carrier",
    "包裹": "shipment parcel",
    "运输": "shipment transit", "配送": "delivery shipment", "送达": "delivered delivery",
    "签收": "delivered",
    "退货": "return", "退回": "return", "停产": "discontinued", "重量": "weight",
    "最重": "weight heaviest",
    # staff and support
    "员工": "employee", "职员": "employee staff", "雇员": "employee", "经理": "manager",
    "主管": "manager",
    "下属": "reports manager", "部门": "department", "职位": "job title", "入职": "hired",
    "客服": "support customer service", "工单": "ticket support", "投诉": "complaint ticket",
    "满意度": "satisfaction score", "优先级": "priority", "处理": "handled assigned",
    # state and time
    "状态": "status", "取消": "cancelled", "完成": "completed", "关闭": "closed", "未解决": "open",
    "待处理": "pending open", "失败": "failed", "有效": "active", "年度": "annual year",
    "今年": "this year",
    "去年": "last year", "每月": "month monthly", "月": "month", "年": "year", "日期": "date",
    "时间": "time",
    "平均": "average", "数量": "quantity count", "比例": "share ratio", "率": "rate",
    # places
    "国家": "country", "城市": "city", "地区": "region", "大洲": "continent", "省": "province",
}  # fmt: skip
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
# longest terms first, so 支付方式 is read before 支付
TERMS = sorted(GLOSSARY, key=len, reverse=True)


def english_words(question: str) -> str:
    """The English words of the glossary's terms in the question's CJK text ('' when it has none)."""
    found: list[str] = []
    for run in CJK_RUN.findall(question):
        for term in TERMS:
            if term in run:
                found.append(GLOSSARY[term])
                run = run.replace(term, " ")
    return " ".join(found)
