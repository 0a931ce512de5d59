"""A realistic database to connect and ask questions of: an online shop of 17 related tables (customers,
orders and their items, products, categories, suppliers, warehouses and stock, payments, shipments,
returns, reviews, promotions, staff and support tickets) holding about 20,000 rows, generated from a
fixed seed, so every build holds the same data.

`make dev` creates it as `ainav_demo` in the embedded PostgreSQL (once; later starts keep it) and the
tests create it on their server as the target of analyses and queries:
`create_demo_database(admin_url, name)` returns the new database's libpq URL."""

import csv
import io
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from shared.database_url import normalize_database_url

DEMO_DATABASE = "ainav_demo"
SEED = 2026
START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 910  # to the end of June 2026

SCHEMA = """
CREATE TABLE countries (
    code char(2) PRIMARY KEY,
    name text NOT NULL,
    continent text NOT NULL
);
CREATE TABLE customers (
    id integer PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL UNIQUE,
    country_code char(2) NOT NULL REFERENCES countries (code),
    city text NOT NULL,
    segment text NOT NULL CHECK (segment IN ('consumer', 'small_business', 'enterprise')),
    loyalty_tier text NOT NULL CHECK (loyalty_tier IN ('bronze', 'silver', 'gold', 'platinum')),
    marketing_opt_in boolean NOT NULL,
    signed_up_at timestamptz NOT NULL
);
CREATE TABLE categories (
    id integer PRIMARY KEY,
    name text NOT NULL UNIQUE,
    parent_id integer REFERENCES categories (id)
);
CREATE TABLE suppliers (
    id integer PRIMARY KEY,
    company_name text NOT NULL,
    country_code char(2) NOT NULL REFERENCES countries (code),
    contact_email text NOT NULL,
    rating numeric(2, 1) NOT NULL
);
CREATE TABLE products (
    id integer PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    name text NOT NULL,
    category_id integer NOT NULL REFERENCES categories (id),
    supplier_id integer NOT NULL REFERENCES suppliers (id),
    unit_price numeric(10, 2) NOT NULL,
    unit_cost numeric(10, 2) NOT NULL,
    weight_kg numeric(6, 2) NOT NULL,
    is_discontinued boolean NOT NULL,
    launched_on date NOT NULL
);
CREATE INDEX ix_products_category_id ON products (category_id);
CREATE TABLE warehouses (
    id integer PRIMARY KEY,
    name text NOT NULL,
    city text NOT NULL,
    country_code char(2) NOT NULL REFERENCES countries (code),
    capacity_units integer NOT NULL
);
CREATE TABLE inventory (
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity_on_hand integer NOT NULL,
    reorder_level integer NOT NULL,
    last_counted_at timestamptz NOT NULL,
    PRIMARY KEY (warehouse_id, product_id)
);
CREATE TABLE promotions (
    code text PRIMARY KEY,
    description text NOT NULL,
    discount_pct numeric(5, 2) NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL
);
CREATE TABLE orders (
    id integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    ordered_at timestamptz NOT NULL,
    status text NOT NULL
        CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
    channel text NOT NULL CHECK (channel IN ('web', 'mobile_app', 'marketplace', 'phone')),
    shipping_country_code char(2) NOT NULL REFERENCES countries (code),
    promotion_code text REFERENCES promotions (code),
    total_amount numeric(12, 2) NOT NULL
);
CREATE INDEX ix_orders_customer_id ON orders (customer_id);
CREATE INDEX ix_orders_ordered_at ON orders (ordered_at);
CREATE TABLE order_items (
    id integer PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL,
    unit_price numeric(10, 2) NOT NULL,
    discount_pct numeric(5, 2) NOT NULL
);
CREATE INDEX ix_order_items_order_id ON order_items (order_id);
CREATE TABLE payments (
    id integer PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders (id),
    method text NOT NULL,
    status text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    paid_at timestamptz NOT NULL
);
CREATE TABLE shipments (
    id integer PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders (id),
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    carrier text NOT NULL,
    tracking_number text NOT NULL UNIQUE,
    shipped_at timestamptz NOT NULL,
    delivered_at timestamptz
);
CREATE TABLE returns (
    id integer PRIMARY KEY,
    order_item_id integer NOT NULL REFERENCES order_items (id),
    reason text NOT NULL,
    status text NOT NULL,
    refund_amount numeric(10, 2) NOT NULL,
    requested_at timestamptz NOT NULL
);
CREATE TABLE product_reviews (
    id integer PRIMARY KEY,
    product_id integer NOT NULL REFERENCES products (id),
    customer_id integer NOT NULL REFERENCES customers (id),
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE departments (
    id integer PRIMARY KEY,
    name text NOT NULL UNIQUE,
    annual_budget numeric(14, 2) NOT NULL
);
CREATE TABLE employees (
    id integer PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL UNIQUE,
    department_id integer NOT NULL REFERENCES departments (id),
    manager_id integer REFERENCES employees (id),
    job_title text NOT NULL,
    hired_on date NOT NULL,
    salary numeric(10, 2) NOT NULL,
    is_active boolean NOT NULL
);
CREATE TABLE support_tickets (
    id integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    order_id integer REFERENCES orders (id),
    assigned_to integer REFERENCES employees (id),
    subject text NOT NULL,
    priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status text NOT NULL CHECK (status IN ('open', 'pending', 'solved', 'closed')),
    opened_at timestamptz NOT NULL,
    closed_at timestamptz,
    satisfaction_score smallint
);
"""

COUNTRIES = [
    ("CN", "China", "Asia", ["Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Chengdu"]),
    ("US", "United States", "North America", ["New York", "Seattle", "Austin", "Chicago", "Boston"]),
    ("DE", "Germany", "Europe", ["Berlin", "Munich", "Hamburg", "Cologne"]),
    ("FR", "France", "Europe", ["Paris", "Lyon", "Marseille", "Toulouse"]),
    ("GB", "United Kingdom", "Europe", ["London", "Manchester", "Edinburgh", "Bristol"]),
    ("JP", "Japan", "Asia", ["Tokyo", "Osaka", "Kyoto", "Fukuoka"]),
    ("SG", "Singapore", "Asia", ["Singapore"]),
    ("BR", "Brazil", "South America", ["São Paulo", "Rio de Janeiro", "Curitiba"]),
    ("CA", "Canada", "North America", ["Toronto", "Vancouver", "Montreal"]),
    ("AU", "Australia", "Oceania", ["Sydney", "Melbourne", "Brisbane"]),
    ("IN", "India", "Asia", ["Bengaluru", "Mumbai", "Delhi"]),
    ("ES", "Spain", "Europe", ["Madrid", "Barcelona", "Valencia"]),
]
FIRST_NAMES = [
    "Ada",
    "Wei",
    "Lena",
    "Carlos",
    "Mei",
    "James",
    "Sofia",
    "Hiro",
    "Priya",
    "Lucas",
    "Emma",
    "Jun",
    "Noah",
    "Chloe",
    "Ravi",
    "Mia",
    "Ethan",
    "Yuki",
    "Olivia",
    "Liam",
    "Fatima",
    "Hannah",
    "Tom",
    "Lin",
]
LAST_NAMES = [
    "Zhang",
    "Smith",
    "Müller",
    "Garcia",
    "Wang",
    "Brown",
    "Rossi",
    "Tanaka",
    "Patel",
    "Martin",
    "Li",
    "Johnson",
    "Dubois",
    "Chen",
    "Silva",
    "Kim",
    "Nguyen",
    "Schmidt",
    "Lopez",
    "Wilson",
]
CATEGORY_TREE = {
    "Electronics": ["Phones", "Laptops", "Audio", "Cameras"],
    "Home & Kitchen": ["Cookware", "Furniture", "Lighting"],
    "Sports & Outdoors": ["Camping", "Fitness", "Cycling"],
    "Books": ["Fiction", "Technology"],
}
PRODUCT_NOUNS = {
    "Phones": ["Smartphone", "Phone Case", "Charger"],
    "Laptops": ["Ultrabook", "Gaming Laptop", "Laptop Stand"],
    "Audio": ["Headphones", "Bluetooth Speaker", "Earbuds"],
    "Cameras": ["Mirrorless Camera", "Action Camera", "Tripod"],
    "Cookware": ["Frying Pan", "Rice Cooker", "Knife Set"],
    "Furniture": ["Desk Chair", "Bookshelf", "Coffee Table"],
    "Lighting": ["Desk Lamp", "LED Strip", "Floor Lamp"],
    "Camping": ["Tent", "Sleeping Bag", "Camping Stove"],
    "Fitness": ["Yoga Mat", "Dumbbell Set", "Resistance Bands"],
    "Cycling": ["Bike Helmet", "Bike Light", "Cycling Gloves"],
    "Fiction": ["Mystery Novel", "Fantasy Saga", "Short Stories"],
    "Technology": ["Python Handbook", "SQL Cookbook", "Cloud Architecture Guide"],
}
ADJECTIVES = ["Classic", "Pro", "Lite", "Ultra", "Eco", "Smart", "Compact", "Deluxe"]
SUPPLIER_WORDS = ["Global", "Pacific", "Nordic", "Summit", "Golden", "Blue River", "Apex", "Harbor"]
SUPPLIER_KINDS = ["Trading", "Manufacturing", "Supply Co.", "Industries", "Imports"]
DEPARTMENTS = [
    ("Sales", 2_400_000),
    ("Customer Support", 900_000),
    ("Logistics", 1_600_000),
    ("Marketing", 1_200_000),
    ("Engineering", 3_100_000),
    ("Finance", 700_000),
    ("Human Resources", 500_000),
]
JOB_TITLES = {
    "Sales": ["Account Executive", "Sales Manager"],
    "Customer Support": ["Support Agent", "Support Team Lead"],
    "Logistics": ["Warehouse Associate", "Logistics Coordinator"],
    "Marketing": ["Marketing Specialist", "Growth Manager"],
    "Engineering": ["Software Engineer", "Data Engineer", "Engineering Manager"],
    "Finance": ["Accountant", "Financial Analyst"],
    "Human Resources": ["Recruiter", "HR Business Partner"],
}
ORDER_STATUSES = (
    (["delivered"] * 55)
    + (["shipped"] * 12)
    + (["paid"] * 10)
    + (["pending"] * 8)
    + (["cancelled"] * 9)
    + (["refunded"] * 6)
)
CHANNELS = ["web"] * 5 + ["mobile_app"] * 4 + ["marketplace"] * 2 + ["phone"]
PAYMENT_METHODS = ["card", "card", "card", "paypal", "alipay", "wechat_pay", "bank_transfer"]
CARRIERS = ["DHL", "UPS", "FedEx", "SF Express", "La Poste"]
RETURN_REASONS = ["damaged", "wrong_item", "not_as_described", "changed_mind", "late_delivery"]
REVIEW_TITLES = {
    5: ["Excellent", "Love it", "Perfect"],
    4: ["Very good", "Happy with it"],
    3: ["Okay", "Average"],
    2: ["Disappointing", "Not great"],
    1: ["Terrible", "Broke quickly"],
}
TICKET_SUBJECTS = [
    "Where is my order?",
    "Item arrived damaged",
    "Request a refund",
    "Change delivery address",
    "Payment failed",
    "Wrong size",
    "Cannot log in",
    "Invoice request",
]


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def moment(rng: random.Random, after: datetime = START, days: int = DAYS) -> datetime:
    return after + timedelta(days=rng.uniform(0, days), seconds=rng.randint(0, 86_399))


class DemoData:
    """The rows of every table, generated in dependency order from one random seed."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
        self.tables: dict[str, tuple[Sequence[str], list[Sequence[Any]]]] = {}
        for build in (
            self.countries,
            self.customers,
            self.categories,
            self.suppliers,
            self.products,
            self.warehouses,
            self.inventory,
            self.promotions,
            self.orders,
            self.payments,
            self.shipments,
            self.returns,
            self.reviews,
            self.staff,
            self.tickets,
        ):
            build()

    def add(self, table: str, columns: str, rows: list[Sequence[Any]]) -> None:
        """The rows of `table`, in the order of `columns` (names separated by spaces)."""
        self.tables[table] = (columns.split(), rows)

    def rows(self, table: str) -> list[Sequence[Any]]:
        return self.tables[table][1]

    def countries(self) -> None:
        self.add("countries", "code name continent", [c[:3] for c in COUNTRIES])

    def customers(self) -> None:
        rng, rows = self.rng, []
        for n in range(1, 601):
            code, _, _, cities = rng.choice(COUNTRIES)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            rows.append(
                (
                    n,
                    first,
                    last,
                    f"{first.lower()}.{last.lower()}{n}@example.com",
                    code,
                    rng.choice(cities),
                    rng.choices(["consumer", "small_business", "enterprise"], [80, 15, 5])[0],
                    rng.choices(["bronze", "silver", "gold", "platinum"], [50, 30, 15, 5])[0],
                    rng.random() < 0.6,
                    moment(rng, START - timedelta(days=700), 1500),
                )
            )
        self.add(
            "customers",
            "id first_name last_name email country_code "
            "city segment loyalty_tier marketing_opt_in signed_up_at",
            rows,
        )

    def categories(self) -> None:
        rows: list[Sequence[Any]] = []
        for parent, children in CATEGORY_TREE.items():
            parent_id = len(rows) + 1
            rows.append((parent_id, parent, None))
            for child in children:
                rows.append((len(rows) + 1, child, parent_id))
        self.add("categories", "id name parent_id", rows)

    def suppliers(self) -> None:
        rng = self.rng
        rows = [
            (
                n,
                f"{rng.choice(SUPPLIER_WORDS)} {rng.choice(SUPPLIER_KINDS)} {n}",
                rng.choice(COUNTRIES)[0],
                f"sales{n}@supplier{n}.example",
                Decimal(str(round(rng.uniform(2.5, 5.0), 1))),
            )
            for n in range(1, 26)
        ]
        self.add("suppliers", "id company_name country_code contact_email rating", rows)

    def products(self) -> None:
        rng, rows = self.rng, []
        leaves = [row for row in self.rows("categories") if row[2] is not None]
        for n in range(1, 241):
            category = rng.choice(leaves)
            noun = rng.choice(PRODUCT_NOUNS[category[1]])
            price = (
                rng.uniform(8, 400) if category[1] not in ("Laptops", "Cameras") else rng.uniform(300, 2500)
            )
            rows.append(
                (
                    n,
                    f"SKU-{n:05d}",
                    f"{rng.choice(ADJECTIVES)} {noun} {n}",
                    category[0],
                    rng.randint(1, 25),
                    money(price),
                    money(price * rng.uniform(0.35, 0.75)),
                    money(rng.uniform(0.1, 12)),
                    rng.random() < 0.08,
                    (START - timedelta(days=rng.randint(0, 900))).date(),
                )
            )
        self.add(
            "products",
            "id sku name category_id supplier_id unit_price unit_cost weight_kg is_discontinued launched_on",
            rows,
        )

    def warehouses(self) -> None:
        places = [
            ("SHA-1", "Shanghai", "CN"),
            ("SZX-1", "Shenzhen", "CN"),
            ("FRA-1", "Frankfurt", "DE"),
            ("SEA-1", "Seattle", "US"),
            ("NYC-1", "New York", "US"),
            ("SIN-1", "Singapore", "SG"),
        ]
        rows = [
            (n, f"Warehouse {name}", city, code, 20_000 + 5_000 * n)
            for n, (name, city, code) in enumerate(places, start=1)
        ]
        self.add("warehouses", "id name city country_code capacity_units", rows)

    def inventory(self) -> None:
        rng, rows = self.rng, []
        for warehouse in self.rows("warehouses"):
            for product in self.rows("products"):
                if rng.random() < 0.6:
                    rows.append(
                        (
                            warehouse[0],
                            product[0],
                            rng.randint(0, 500),
                            rng.choice([10, 20, 50]),
                            moment(rng, START + timedelta(days=800), 110),
                        )
                    )
        self.add(
            "inventory",
            "warehouse_id product_id quantity_on_hand reorder_level last_counted_at",
            rows,
        )

    def promotions(self) -> None:
        rng, rows = self.rng, []
        for n, season in enumerate(["SPRING", "SUMMER", "AUTUMN", "WINTER", "SINGLES", "NEWYEAR"], start=1):
            for year in (2024, 2025):
                starts = date(year, 1 + (n * 2 - 1) % 12, 1)
                rows.append(
                    (
                        f"{season}{year % 100}",
                        f"{season.title()} sale {year}",
                        Decimal(rng.choice([5, 10, 15, 20])),
                        starts,
                        starts + timedelta(days=rng.randint(7, 30)),
                    )
                )
        self.add("promotions", "code description discount_pct starts_on ends_on", rows)

    def orders(self) -> None:
        rng, orders, items = self.rng, [], []
        products = self.rows("products")
        codes = [row[0] for row in self.rows("promotions")]
        customers = self.rows("customers")
        for n in range(1, 2501):
            customer = rng.choice(customers)
            ordered_at = moment(rng)
            total = Decimal(0)
            for _ in range(rng.choices([1, 2, 3, 4, 5], [35, 30, 18, 10, 7])[0]):
                product = rng.choice(products)
                quantity = rng.choices([1, 2, 3, 5], [70, 20, 7, 3])[0]
                discount = Decimal(rng.choice([0, 0, 0, 5, 10]))
                total += product[5] * quantity * (100 - discount) / 100
                items.append((len(items) + 1, n, product[0], quantity, product[5], discount))
            country = customer[4] if rng.random() < 0.9 else rng.choice(COUNTRIES)[0]
            orders.append(
                (
                    n,
                    customer[0],
                    ordered_at,
                    rng.choice(ORDER_STATUSES),
                    rng.choice(CHANNELS),
                    country,
                    rng.choice(codes) if rng.random() < 0.15 else None,
                    total.quantize(Decimal("0.01")),
                )
            )
        self.add(
            "orders",
            "id customer_id ordered_at status channel shipping_country_code promotion_code total_amount",
            orders,
        )
        self.add("order_items", "id order_id product_id quantity unit_price discount_pct", items)

    def payments(self) -> None:
        rng, rows = self.rng, []
        for order in self.rows("orders"):
            if order[3] == "pending":
                continue
            status = {"cancelled": "failed", "refunded": "refunded"}.get(order[3], "captured")
            rows.append(
                (
                    len(rows) + 1,
                    order[0],
                    rng.choice(PAYMENT_METHODS),
                    status,
                    order[7],
                    order[2] + timedelta(minutes=rng.randint(1, 90)),
                )
            )
        self.add("payments", "id order_id method status amount paid_at", rows)

    def shipments(self) -> None:
        rng, rows = self.rng, []
        for order in self.rows("orders"):
            if order[3] not in ("shipped", "delivered", "refunded"):
                continue
            shipped = order[2] + timedelta(hours=rng.randint(6, 96))
            delivered = shipped + timedelta(hours=rng.randint(20, 240)) if order[3] != "shipped" else None
            rows.append(
                (
                    len(rows) + 1,
                    order[0],
                    rng.randint(1, 6),
                    rng.choice(CARRIERS),
                    f"TRK{order[0]:07d}{rng.randint(10, 99)}",
                    shipped,
                    delivered,
                )
            )
        self.add(
            "shipments",
            "id order_id warehouse_id carrier tracking_number shipped_at delivered_at",
            rows,
        )

    def returns(self) -> None:
        rng, rows = self.rng, []
        delivered = {
            order[0]: order[2] for order in self.rows("orders") if order[3] in ("delivered", "refunded")
        }
        for item in self.rows("order_items"):
            if item[1] in delivered and rng.random() < 0.05:
                rows.append(
                    (
                        len(rows) + 1,
                        item[0],
                        rng.choice(RETURN_REASONS),
                        rng.choice(["requested", "approved", "rejected", "refunded"]),
                        money(float(item[4]) * item[3]),
                        delivered[item[1]] + timedelta(days=rng.randint(2, 30)),
                    )
                )
        self.add("returns", "id order_item_id reason status refund_amount requested_at", rows)

    def reviews(self) -> None:
        rng, rows = self.rng, []
        for _ in range(1200):
            rating = rng.choices([1, 2, 3, 4, 5], [5, 7, 15, 33, 40])[0]
            title = rng.choice(REVIEW_TITLES[rating])
            rows.append(
                (
                    len(rows) + 1,
                    rng.randint(1, 240),
                    rng.randint(1, 600),
                    rating,
                    title,
                    f"{title}. {'Would buy again.' if rating >= 4 else 'Expected more for the price.'}",
                    moment(rng),
                )
            )
        self.add(
            "product_reviews",
            "id product_id customer_id rating title body created_at",
            rows,
        )

    def staff(self) -> None:
        rng = self.rng
        self.add(
            "departments",
            "id name annual_budget",
            [(n, name, Decimal(budget)) for n, (name, budget) in enumerate(DEPARTMENTS, start=1)],
        )
        rows: list[Sequence[Any]] = []
        heads: dict[int, int] = {}
        for n in range(1, 81):
            department = n if n <= len(DEPARTMENTS) else rng.randint(1, len(DEPARTMENTS))
            name = DEPARTMENTS[department - 1][0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            manager = heads.get(department)
            heads.setdefault(department, n)
            title = f"Head of {name}" if manager is None else rng.choice(JOB_TITLES[name])
            rows.append(
                (
                    n,
                    first,
                    last,
                    f"{first.lower()}.{last.lower()}.{n}@shop.example",
                    department,
                    manager,
                    title,
                    (START - timedelta(days=rng.randint(0, 2500))).date(),
                    money(rng.uniform(42_000, 160_000)),
                    rng.random() < 0.93,
                )
            )
        self.add(
            "employees",
            "id first_name last_name email department_id manager_id job_title hired_on salary is_active",
            rows,
        )

    def tickets(self) -> None:
        rng, rows = self.rng, []
        agents = [row[0] for row in self.rows("employees") if row[4] == 2]
        orders = self.rows("orders")
        for n in range(1, 701):
            order = rng.choice(orders) if rng.random() < 0.7 else None
            opened = moment(rng)
            status = rng.choices(["open", "pending", "solved", "closed"], [15, 10, 35, 40])[0]
            closed = opened + timedelta(hours=rng.randint(1, 200)) if status in ("solved", "closed") else None
            rows.append(
                (
                    n,
                    order[1] if order else rng.randint(1, 600),
                    order[0] if order else None,
                    rng.choice(agents) if rng.random() < 0.85 else None,
                    rng.choice(TICKET_SUBJECTS),
                    rng.choices(["low", "normal", "high", "urgent"], [25, 50, 18, 7])[0],
                    status,
                    opened,
                    closed,
                    rng.randint(1, 5) if closed else None,
                )
            )
        self.add(
            "support_tickets",
            "id customer_id order_id assigned_to subject "
            "priority status opened_at closed_at satisfaction_score",
            rows,
        )


def _csv(rows: Iterable[Sequence[Any]]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    buffer.seek(0)
    return buffer


def database_url(admin_url: str, name: str) -> str:
    """The libpq URL of database `name` on the server of `admin_url`."""
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def create_demo_database(
    admin_url: str,
    name: str = DEMO_DATABASE,
    *,
    replace: bool = False,
    progress: Callable[[str], None] = print,
) -> str:
    """Create database `name` with the shop's schema and rows, unless it already holds them (or `replace`);
    return its libpq URL."""
    if not name.isidentifier():
        raise ValueError(f"database name must be a plain identifier, got {name!r}")
    admin = create_engine(normalize_database_url(admin_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists and replace:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            if not exists or replace:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = database_url(admin_url, name)
    target = create_engine(normalize_database_url(url), poolclass=NullPool)
    try:
        with target.begin() as connection:
            if connection.scalar(text("SELECT to_regclass('public.support_tickets') IS NOT NULL")):
                return url
            progress(f"creating the demo database {name} (17 tables) ...")
            connection.exec_driver_sql(SCHEMA)
            cursor = connection.connection.cursor()
            for table, (columns, rows) in DemoData().tables.items():
                cursor.execute(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", stream=_csv(rows)
                )
            connection.exec_driver_sql("ANALYZE")
    finally:
        target.dispose()
    return url
