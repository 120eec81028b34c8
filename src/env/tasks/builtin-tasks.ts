import { DEMO_DATABASE } from './demo-data.js';
import type { Task, TaskQuestion } from './task.js';

type Gold = TaskQuestion['gold'];
type Level = 'easy' | 'medium' | 'hard';

/** Money is stored in integer cents; questions ask in dollars, so gold divides by 100.0 (exact in both dialects). */
const SIMPLE: [string, Gold][] = [
  ['How many customers do we have?', 'SELECT COUNT(*) AS customer_count FROM customers'],
  [
    'What are the 5 most expensive products? Show their names and unit prices in cents.',
    'SELECT name, unit_price_cents FROM products ORDER BY unit_price_cents DESC, product_id LIMIT 5',
  ],
  ['How many orders were placed in 2024?', "SELECT COUNT(*) AS order_count FROM orders WHERE order_date >= '2024-01-01' AND order_date < '2025-01-01'"],
  ['Which customers are based in Germany? Give their company names and cities.', "SELECT company_name, city FROM customers WHERE country = 'Germany'"],
  ['How many orders are there in each status?', 'SELECT status, COUNT(*) AS order_count FROM orders GROUP BY status'],
  ['What is the average employee salary in dollars, rounded to 2 decimals?', 'SELECT ROUND(AVG(salary_cents) / 100.0, 2) AS average_salary FROM employees'],
  [
    'Which products that are still sold have fewer than 20 units in stock?',
    'SELECT name, units_in_stock FROM products WHERE units_in_stock < 20 AND is_discontinued = 0',
  ],
  [
    'List the employees hired in 2023 or later with their hire dates, most recent hire first.',
    "SELECT first_name, last_name, hire_date FROM employees WHERE hire_date >= '2023-01-01' ORDER BY hire_date DESC, employee_id",
  ],
  ['How many different countries are our customers from?', 'SELECT COUNT(DISTINCT country) AS country_count FROM customers'],
  ['How much money in total has been paid by credit card, in dollars?', "SELECT SUM(amount_cents) / 100.0 AS total_paid FROM payments WHERE method = 'credit_card'"],
  ['Which department has the largest budget? Show its name and its budget in cents.', 'SELECT name, budget_cents FROM departments ORDER BY budget_cents DESC LIMIT 1'],
  ['How many orders have not been shipped yet?', 'SELECT COUNT(*) AS unshipped_orders FROM orders WHERE shipped_date IS NULL'],
];

const JOIN: [string, Gold][] = [
  [
    'How many orders has each customer segment placed?',
    'SELECT c.segment, COUNT(*) AS order_count FROM orders o JOIN customers c ON c.customer_id = o.customer_id GROUP BY c.segment',
  ],
  [
    'Which 5 customers paid us the most in 2024 (by payment date)? Show the company name and the total in dollars.',
    `SELECT c.company_name, SUM(p.amount_cents) / 100.0 AS total_paid
FROM customers c JOIN orders o ON o.customer_id = c.customer_id JOIN payments p ON p.order_id = o.order_id
WHERE p.payment_date >= '2024-01-01' AND p.payment_date < '2025-01-01'
GROUP BY c.customer_id, c.company_name ORDER BY SUM(p.amount_cents) DESC, c.customer_id LIMIT 5`,
  ],
  [
    'How many products are there in each category? Show the category name.',
    `SELECT cat.name, COUNT(p.product_id) AS product_count
FROM categories cat LEFT JOIN products p ON p.category_id = cat.category_id GROUP BY cat.category_id, cat.name`,
  ],
  [
    'Who does each employee of the Engineering department report to? Show employee and manager names.',
    `SELECT e.first_name, e.last_name, m.first_name AS manager_first_name, m.last_name AS manager_last_name
FROM employees e JOIN employees m ON m.employee_id = e.manager_id JOIN departments d ON d.department_id = e.department_id
WHERE d.name = 'Engineering'`,
  ],
  [
    'Which sales representative handled the most orders, and how many?',
    `SELECT e.first_name, e.last_name, COUNT(*) AS order_count
FROM employees e JOIN orders o ON o.employee_id = e.employee_id
GROUP BY e.employee_id, e.first_name, e.last_name ORDER BY COUNT(*) DESC, e.employee_id LIMIT 1`,
  ],
  [
    'What is the revenue of each product category in dollars, ignoring cancelled orders? Highest first.',
    `SELECT cat.name, SUM(oi.quantity * oi.unit_price_cents) / 100.0 AS revenue
FROM order_items oi JOIN orders o ON o.order_id = oi.order_id JOIN products p ON p.product_id = oi.product_id
JOIN categories cat ON cat.category_id = p.category_id
WHERE o.status <> 'cancelled' GROUP BY cat.category_id, cat.name ORDER BY SUM(oi.quantity * oi.unit_price_cents) DESC, cat.category_id`,
  ],
  [
    'How many orders did customers from each country place?',
    'SELECT c.country, COUNT(o.order_id) AS order_count FROM customers c JOIN orders o ON o.customer_id = c.customer_id GROUP BY c.country',
  ],
  [
    'Which products come from suppliers based in Germany? Show the product and supplier names.',
    "SELECT p.name, s.name AS supplier_name FROM products p JOIN suppliers s ON s.supplier_id = p.supplier_id WHERE s.country = 'Germany'",
  ],
  [
    'Which customers have never placed an order?',
    'SELECT c.company_name FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id WHERE o.order_id IS NULL',
  ],
  [
    'How many units of each category were sold in 2024 (orders placed in 2024, not cancelled)?',
    `SELECT cat.name, SUM(oi.quantity) AS units_sold
FROM order_items oi JOIN orders o ON o.order_id = oi.order_id JOIN products p ON p.product_id = oi.product_id
JOIN categories cat ON cat.category_id = p.category_id
WHERE o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01' AND o.status <> 'cancelled'
GROUP BY cat.category_id, cat.name`,
  ],
  [
    'Which employees in the Sales department earn more than 100,000 dollars a year?',
    `SELECT e.first_name, e.last_name, e.salary_cents / 100 AS salary
FROM employees e JOIN departments d ON d.department_id = e.department_id
WHERE d.name = 'Sales' AND e.salary_cents > 10000000`,
  ],
  [
    'For each department, how many employees does it have and what is its total yearly payroll in dollars?',
    `SELECT d.name, COUNT(e.employee_id) AS employee_count, SUM(e.salary_cents) / 100 AS payroll
FROM departments d JOIN employees e ON e.department_id = d.department_id GROUP BY d.department_id, d.name`,
  ],
];

const month = { sqlite: "strftime('%Y-%m', {col})", postgres: "to_char({col}, 'YYYY-MM')" };
function perDialect(template: string, col: string): Gold {
  return {
    sqlite: template.replaceAll('{month}', month.sqlite.replace('{col}', col)),
    postgres: template.replaceAll('{month}', month.postgres.replace('{col}', col)),
  };
}

const ANALYTICS: [string, Gold][] = [
  [
    'What was the revenue collected (payments) in each month of 2024, in dollars? Order by month.',
    perDialect(
      `SELECT {month} AS month, SUM(amount_cents) / 100.0 AS revenue FROM payments
WHERE payment_date >= '2024-01-01' AND payment_date < '2025-01-01' GROUP BY {month} ORDER BY month`,
      'payment_date',
    ),
  ],
  [
    'Which customers have paid more in total than the average customer who has paid anything? Show company name and total in dollars, highest first.',
    `WITH totals AS (
  SELECT o.customer_id, SUM(p.amount_cents) AS paid FROM orders o JOIN payments p ON p.order_id = o.order_id GROUP BY o.customer_id)
SELECT c.company_name, t.paid / 100.0 AS total_paid
FROM totals t JOIN customers c ON c.customer_id = t.customer_id
WHERE t.paid > (SELECT AVG(paid) FROM totals) ORDER BY t.paid DESC, c.customer_id`,
  ],
  [
    'What are the top 3 best-selling products (by units, excluding cancelled orders) in each category?',
    `WITH sold AS (
  SELECT p.category_id, p.product_id, p.name, SUM(oi.quantity) AS units
  FROM products p JOIN order_items oi ON oi.product_id = p.product_id JOIN orders o ON o.order_id = oi.order_id
  WHERE o.status <> 'cancelled' GROUP BY p.category_id, p.product_id, p.name),
ranked AS (
  SELECT category_id, name, units, ROW_NUMBER() OVER (PARTITION BY category_id ORDER BY units DESC, product_id) AS position FROM sold)
SELECT cat.name AS category, r.name AS product, r.units, r.position
FROM ranked r JOIN categories cat ON cat.category_id = r.category_id WHERE r.position <= 3 ORDER BY r.category_id, r.position`,
  ],
  [
    'How many customers placed orders in both 2023 and 2024?',
    `SELECT COUNT(*) AS returning_customers FROM (
  SELECT customer_id FROM orders WHERE order_date < '2024-01-01'
  INTERSECT
  SELECT customer_id FROM orders WHERE order_date >= '2024-01-01') AS both_years`,
  ],
  [
    'For each month of 2024, how many orders were placed and how did that change from the previous month?',
    perDialect(
      `WITH monthly AS (
  SELECT {month} AS month, COUNT(*) AS order_count FROM orders
  WHERE order_date >= '2024-01-01' AND order_date < '2025-01-01' GROUP BY {month})
SELECT month, order_count, order_count - LAG(order_count) OVER (ORDER BY month) AS change FROM monthly ORDER BY month`,
      'order_date',
    ),
  ],
  [
    'Which discontinued products still have stock, and how many units of each were sold in 2024?',
    `SELECT p.name, p.units_in_stock,
  COALESCE((SELECT SUM(oi.quantity) FROM order_items oi JOIN orders o ON o.order_id = oi.order_id
            WHERE oi.product_id = p.product_id AND o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01'), 0) AS units_sold_2024
FROM products p WHERE p.is_discontinued = 1 AND p.units_in_stock > 0`,
  ],
  [
    'On average, how many days does each sales representative take to ship an order? Round to 2 decimals, fastest first.',
    {
      sqlite: `SELECT e.first_name, e.last_name,
  ROUND(AVG(CAST(julianday(o.shipped_date) - julianday(o.order_date) AS INTEGER)), 2) AS avg_days_to_ship
FROM orders o JOIN employees e ON e.employee_id = o.employee_id WHERE o.shipped_date IS NOT NULL
GROUP BY e.employee_id, e.first_name, e.last_name
ORDER BY AVG(CAST(julianday(o.shipped_date) - julianday(o.order_date) AS INTEGER)), e.employee_id`,
      postgres: `SELECT e.first_name, e.last_name, ROUND(AVG(o.shipped_date - o.order_date), 2) AS avg_days_to_ship
FROM orders o JOIN employees e ON e.employee_id = o.employee_id WHERE o.shipped_date IS NOT NULL
GROUP BY e.employee_id, e.first_name, e.last_name ORDER BY AVG(o.shipped_date - o.order_date), e.employee_id`,
    },
  ],
  [
    'What are the 10 largest orders (by value) that are not cancelled and have no payment yet? Show order id, date and value in dollars.',
    `SELECT o.order_id, o.order_date, SUM(oi.quantity * oi.unit_price_cents) / 100.0 AS order_value
FROM orders o JOIN order_items oi ON oi.order_id = o.order_id
WHERE o.status <> 'cancelled' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.order_id)
GROUP BY o.order_id, o.order_date ORDER BY SUM(oi.quantity * oi.unit_price_cents) DESC, o.order_id LIMIT 10`,
  ],
  [
    'Which employees earn more than the average salary of their own department?',
    `SELECT e.first_name, e.last_name, d.name AS department
FROM employees e JOIN departments d ON d.department_id = e.department_id
WHERE e.salary_cents > (SELECT AVG(x.salary_cents) FROM employees x WHERE x.department_id = e.department_id)`,
  ],
  [
    'What was the running total of payments received during 2024, month by month, in dollars?',
    perDialect(
      `WITH monthly AS (
  SELECT {month} AS month, SUM(amount_cents) AS paid FROM payments
  WHERE payment_date >= '2024-01-01' AND payment_date < '2025-01-01' GROUP BY {month})
SELECT month, SUM(paid) OVER (ORDER BY month) / 100.0 AS running_total FROM monthly ORDER BY month`,
      'payment_date',
    ),
  ],
  [
    'Which customer placed the most orders in each country? Break ties by the lowest customer id.',
    `WITH counts AS (
  SELECT c.country, c.customer_id, c.company_name, COUNT(*) AS order_count,
    ROW_NUMBER() OVER (PARTITION BY c.country ORDER BY COUNT(*) DESC, c.customer_id) AS position
  FROM customers c JOIN orders o ON o.customer_id = c.customer_id GROUP BY c.country, c.customer_id, c.company_name)
SELECT country, company_name, order_count FROM counts WHERE position = 1`,
  ],
  [
    'Which customers have placed more than 15 orders? Show how many orders and how much they paid in dollars.',
    `SELECT c.company_name, COUNT(DISTINCT o.order_id) AS order_count, COALESCE(SUM(p.amount_cents), 0) / 100.0 AS total_paid
FROM customers c JOIN orders o ON o.customer_id = c.customer_id LEFT JOIN payments p ON p.order_id = o.order_id
GROUP BY c.customer_id, c.company_name HAVING COUNT(DISTINCT o.order_id) > 15`,
  ],
];

function buildTask(id: string, description: string, difficulty: Level, items: [string, Gold][]): Task {
  const questions = items.map(([question, gold], i): TaskQuestion => ({
    id: `${id}/${String(i + 1).padStart(2, '0')}`,
    taskId: id,
    database: DEMO_DATABASE,
    question,
    gold,
    difficulty,
    legacyDoubleQuotes: false,
  }));
  return { id, description, difficulty, questions };
}

/** The three built-in tasks over the demo database, with the original environment's task ids. */
export const BUILTIN_TASKS: readonly Task[] = [
  buildTask('simple_queries', 'Single-table questions: filters, counts, sorting and simple aggregates.', 'easy', SIMPLE),
  buildTask('join_queries', 'Questions that join two to four tables, with grouping.', 'medium', JOIN),
  buildTask('complex_analytics', 'Analytics with subqueries, CTEs, HAVING, window functions and date bucketing.', 'hard', ANALYTICS),
];

/** A fresh copy of the built-in tasks. */
export function builtinTasks(): Task[] {
  return BUILTIN_TASKS.map((task) => ({ ...task, questions: task.questions.map((q) => ({ ...q })) }));
}
