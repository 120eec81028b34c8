import { mulberry32 } from '../../random.js';
/**
 * The demo database's rows, generated from a fixed seed so every machine builds byte-identical data.
 * Money is integer cents and dates are 'YYYY-MM-DD' strings, so aggregates agree exactly on SQLite and PostgreSQL.
 */
export type DemoCell = string | number | null;

export interface DemoTableRows {
  name: string;
  columns: string[];
  rows: DemoCell[][];
}

/** The database name tasks use for the demo database (SQLite catalog name / PostgreSQL schema). */
export const DEMO_DATABASE = 'demo';

const DEMO_SEED = 20_240_917;


type Rng = () => number;
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

const DAY_MS = 86_400_000;
const dayNumber = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

const FIRST_NAMES = ['Alice', 'Bruno', 'Chloe', 'Daniel', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Liam', 'Maria', 'Nikhil', 'Olivia', 'Pedro', 'Quinn', 'Rosa', 'Samuel', 'Tara', 'Umar', 'Vera', 'Wei', 'Yara', 'Zoe'];
const LAST_NAMES = ['Anders', 'Baker', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ibrahim', 'Jensen', 'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Novak'];
const CITIES: readonly (readonly [string, string])[] = [
  ['New York', 'USA'], ['Chicago', 'USA'], ['Austin', 'USA'], ['Seattle', 'USA'], ['Toronto', 'Canada'], ['Vancouver', 'Canada'],
  ['London', 'UK'], ['Manchester', 'UK'], ['Berlin', 'Germany'], ['Munich', 'Germany'], ['Paris', 'France'], ['Lyon', 'France'],
  ['Madrid', 'Spain'], ['Milan', 'Italy'], ['Amsterdam', 'Netherlands'], ['Stockholm', 'Sweden'], ['Tokyo', 'Japan'],
  ['Sydney', 'Australia'], ['Sao Paulo', 'Brazil'], ['Mumbai', 'India'],
];
const COMPANY_WORDS = ['Acme', 'Blue', 'Cedar', 'Delta', 'Summit', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Kestrel', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Silver', 'Timber', 'Vertex'];
const COMPANY_KINDS = ['Labs', 'Traders', 'Studio', 'Group', 'Foods', 'Logistics', 'Systems', 'Partners', 'Retail', 'Works'];
const SEGMENTS: readonly (readonly [string, number])[] = [['Consumer', 55], ['Small Business', 30], ['Enterprise', 15]];
/** name, location, yearly budget in units of $10,000 */
const DEPARTMENTS: readonly (readonly [string, string, number])[] = [
  ['Sales', 'New York', 180], ['Marketing', 'New York', 95], ['Engineering', 'Berlin', 320], ['Finance', 'London', 70],
  ['Human Resources', 'London', 40], ['Customer Support', 'Toronto', 60], ['Operations', 'Chicago', 120], ['Legal', 'London', 35],
];
/** name, singular, description, models, price range in cents */
const CATEGORIES: readonly (readonly [string, string, string, readonly string[], number, number])[] = [
  ['Laptops', 'Laptop', 'Portable computers', ['Air', 'Pro', 'Ultra', 'Flex', 'Book'], 69_900, 249_900],
  ['Monitors', 'Monitor', 'Desktop displays', ['24in', '27in', '32in', 'Curved', '4K'], 14_900, 89_900],
  ['Keyboards', 'Keyboard', 'Mechanical and membrane keyboards', ['Compact', 'Wireless', 'Mechanical', 'Ergo', 'Silent'], 2_900, 19_900],
  ['Mice', 'Mouse', 'Mice and trackpads', ['Travel', 'Gaming', 'Vertical', 'Wireless', 'Trackpad'], 1_500, 12_900],
  ['Audio', 'Audio', 'Headphones and speakers', ['Buds', 'Headset', 'Speaker', 'Soundbar', 'Studio'], 2_900, 39_900],
  ['Storage', 'Storage', 'Drives and memory cards', ['SSD 1TB', 'SSD 2TB', 'HDD 4TB', 'USB 128GB', 'SD 256GB'], 1_900, 29_900],
  ['Networking', 'Networking', 'Routers and switches', ['Router', 'Mesh Kit', 'Switch 8', 'Switch 24', 'Access Point'], 4_900, 59_900],
  ['Accessories', 'Accessory', 'Cables, stands and bags', ['Cable', 'Stand', 'Sleeve', 'Backpack', 'Dock'], 900, 24_900],
];
const BRANDS = ['Apex', 'Borealis', 'Cobalt', 'Dynamo'];
const ORDER_STATUSES: readonly (readonly [string, number])[] = [['delivered', 70], ['shipped', 12], ['pending', 6], ['cancelled', 7], ['returned', 5]];
const PAYMENT_METHODS = ['credit_card', 'credit_card', 'bank_transfer', 'paypal', 'gift_card'];

function weighted(rng: Rng, options: readonly (readonly [string, number])[]): string {
  const total = options.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [value, weight] of options) {
    r -= weight;
    if (r < 0) return value;
  }
  return options[options.length - 1]?.[0] ?? '';
}

function departments(): DemoTableRows {
  const rows = DEPARTMENTS.map(([name, location, budget10k], i) => [i + 1, name, location, budget10k * 10_000 * 100]);
  return { name: 'departments', columns: ['department_id', 'name', 'location', 'budget_cents'], rows };
}

/** Employee 1 is the CEO; each department's first employee is its head and reports to the CEO. */
function employees(rng: Rng): { table: DemoTableRows; salesRepIds: number[] } {
  const sizes = [16, 6, 14, 5, 3, 6, 6, 3];
  const rows: DemoCell[][] = [];
  const salesRepIds: number[] = [];
  const add = (dept: number, title: string, managerId: number | null, salaryMin: number, salaryMax: number) => {
    const id = rows.length + 1;
    const first = FIRST_NAMES[(id * 7) % FIRST_NAMES.length] ?? 'Alex';
    const last = LAST_NAMES[(id * 11 + Math.floor(id / 20)) % LAST_NAMES.length] ?? 'Smith';
    const hire = isoDay(int(rng, dayNumber('2014-01-06'), dayNumber('2024-06-28')));
    const salary = int(rng, salaryMin / 500, salaryMax / 500) * 500_00;
    rows.push([id, first, last, `${first}.${last}${id}@example.com`.toLowerCase(), title, dept, managerId, hire, salary]);
    return id;
  };
  add(7, 'Chief Executive Officer', null, 300_000, 300_000);
  sizes.forEach((size, i) => {
    const dept = i + 1;
    const deptName = DEPARTMENTS[i]?.[0] ?? '';
    const headId = add(dept, `Head of ${deptName}`, 1, 140_000, 210_000);
    for (let k = 1; k < size; k += 1) {
      const isSenior = rng() < 0.3;
      const title = dept === 1 ? (isSenior ? 'Senior Sales Representative' : 'Sales Representative') : `${isSenior ? 'Senior ' : ''}${deptName} Specialist`;
      const id = add(dept, title, headId, isSenior ? 85_000 : 50_000, isSenior ? 130_000 : 90_000);
      if (dept === 1) salesRepIds.push(id);
    }
  });
  const columns = ['employee_id', 'first_name', 'last_name', 'email', 'title', 'department_id', 'manager_id', 'hire_date', 'salary_cents'];
  return { table: { name: 'employees', columns, rows }, salesRepIds };
}

function customers(rng: Rng, count: number): DemoTableRows {
  const rows: DemoCell[][] = [];
  for (let id = 1; id <= count; id += 1) {
    const company = `${COMPANY_WORDS[(id - 1) % COMPANY_WORDS.length]} ${COMPANY_KINDS[Math.floor((id - 1) / COMPANY_WORDS.length) % COMPANY_KINDS.length]}${id > 200 ? ` ${Math.floor((id - 1) / 200) + 1}` : ''}`;
    const contact = `${pick(rng, FIRST_NAMES)} ${pick(rng, LAST_NAMES)}`;
    const [city, country] = pick(rng, CITIES);
    const segment = weighted(rng, SEGMENTS);
    const signup = isoDay(int(rng, dayNumber('2021-01-01'), dayNumber('2024-10-31')));
    rows.push([id, company, contact, `contact${id}@${company.toLowerCase().replaceAll(' ', '-')}.example`, city, country, segment, signup]);
  }
  return { name: 'customers', columns: ['customer_id', 'company_name', 'contact_name', 'email', 'city', 'country', 'segment', 'signup_date'], rows };
}

function catalog(rng: Rng): { categories: DemoTableRows; suppliers: DemoTableRows; products: DemoTableRows } {
  const categoryRows = CATEGORIES.map(([name, , description], i) => [i + 1, name, description]);
  const supplierRows: DemoCell[][] = [];
  for (let id = 1; id <= 15; id += 1) {
    const [, country] = CITIES[(id * 3) % CITIES.length] ?? ['', 'USA'];
    supplierRows.push([id, `${COMPANY_WORDS[(id * 7) % COMPANY_WORDS.length]} Supply Co ${id}`, country, int(rng, 2, 5)]);
  }
  const productRows: DemoCell[][] = [];
  CATEGORIES.forEach(([, singular, , models, minCents, maxCents], c) => {
    for (const brand of BRANDS) {
      for (const model of models.slice(0, 3 + ((c + brand.length) % 3))) {
        const id = productRows.length + 1;
        const price = int(rng, minCents / 100, maxCents / 100) * 100 - 1;
        const isDiscontinued = rng() < 0.1 ? 1 : 0;
        productRows.push([id, `${brand} ${model} ${singular}`, c + 1, int(rng, 1, 15), price, int(rng, 0, 400), isDiscontinued]);
      }
    }
  });
  return {
    categories: { name: 'categories', columns: ['category_id', 'name', 'description'], rows: categoryRows },
    suppliers: { name: 'suppliers', columns: ['supplier_id', 'name', 'country', 'rating'], rows: supplierRows },
    products: {
      name: 'products',
      columns: ['product_id', 'name', 'category_id', 'supplier_id', 'unit_price_cents', 'units_in_stock', 'is_discontinued'],
      rows: productRows,
    },
  };
}

function sales(rng: Rng, customerCount: number, salesRepIds: number[], products: DemoCell[][]): DemoTableRows[] {
  const orders: DemoCell[][] = [];
  const items: DemoCell[][] = [];
  const payments: DemoCell[][] = [];
  const first = dayNumber('2023-01-01');
  const last = dayNumber('2024-12-31');
  const loyalCustomers = Math.floor(customerCount / 5);
  for (let orderId = 1; orderId <= 2000; orderId += 1) {
    const customerId = rng() < 0.5 ? int(rng, 1, loyalCustomers) : int(rng, 1, customerCount);
    const orderDay = int(rng, first, last);
    const status = orderDay > last - 10 && rng() < 0.6 ? 'pending' : weighted(rng, ORDER_STATUSES);
    const shipped = status === 'delivered' || status === 'shipped' || status === 'returned' ? isoDay(orderDay + int(rng, 1, 7)) : null;
    orders.push([orderId, customerId, pick(rng, salesRepIds), isoDay(orderDay), status, shipped]);
    const chosen = new Set<number>();
    const lineCount = int(rng, 1, 5);
    let totalCents = 0;
    while (chosen.size < lineCount) chosen.add(int(rng, 1, products.length));
    for (const productId of [...chosen].sort((a, b) => a - b)) {
      const listPrice = Number(products[productId - 1]?.[4] ?? 0);
      const unitPrice = rng() < 0.2 ? Math.round((listPrice * 0.9) / 100) * 100 - 1 : listPrice;
      const quantity = rng() < 0.7 ? int(rng, 1, 3) : int(rng, 4, 20);
      items.push([items.length + 1, orderId, productId, quantity, unitPrice]);
      totalCents += quantity * unitPrice;
    }
    if (status === 'cancelled' || (status === 'pending' && rng() < 0.5)) continue;
    const method = pick(rng, PAYMENT_METHODS);
    const isSplit = totalCents > 200_000 && rng() < 0.3;
    const firstAmount = isSplit ? Math.floor(totalCents / 2) : totalCents;
    payments.push([payments.length + 1, orderId, isoDay(orderDay + int(rng, 0, 2)), firstAmount, method]);
    if (isSplit) payments.push([payments.length + 1, orderId, isoDay(orderDay + int(rng, 20, 35)), totalCents - firstAmount, method]);
  }
  return [
    { name: 'orders', columns: ['order_id', 'customer_id', 'employee_id', 'order_date', 'status', 'shipped_date'], rows: orders },
    { name: 'order_items', columns: ['order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price_cents'], rows: items },
    { name: 'payments', columns: ['payment_id', 'order_id', 'payment_date', 'amount_cents', 'method'], rows: payments },
  ];
}

/** Every demo table's rows, in an order that satisfies the foreign keys. Same output on every call. */
export function generateDemoData(): DemoTableRows[] {
  const rng = mulberry32(DEMO_SEED);
  const { table: employeeTable, salesRepIds } = employees(rng);
  const customerTable = customers(rng, 300);
  const { categories, suppliers, products } = catalog(rng);
  return [departments(), employeeTable, customerTable, categories, suppliers, products, ...sales(rng, 300, salesRepIds, products.rows)];
}
