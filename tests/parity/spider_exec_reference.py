#!/usr/bin/env python3
"""A reference of Spider's test-suite execution check, written from shared/spec/grading.md sections 1.1-1.2
(default settings: DISTINCT stripped, no value plugging, one database), executed with Python's own sqlite3,
which accepts double-quoted string literals as the official evaluator's does.

stdin:  a JSON list of {"db": "<path to .sqlite>", "gold": "<sql>", "pred": "<sql>"}
stdout: a JSON list of {"match": bool, "gold_error": str | null, "pred_error": str | null}, one per input.
"""
import json
import random
import re
import sqlite3
import sys
from collections import Counter
from itertools import product

# A lexical split close to sqlparse's for this purpose: strings, quoted names and comments stay whole.
TOKEN = re.compile(
    r"""\s+|--[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?|[\w$#]+|.""",
    re.S,
)
CUR_YEAR = re.compile(r"YEAR\s*\(\s*CURDATE\s*\(\s*\)\s*\)\s*", re.IGNORECASE)


def postprocess(sql):
    return sql.replace("> =", ">=").replace("< =", "<=").replace("! =", "!=")


def strip_distinct(sql):
    """Drops DISTINCT tokens; keeps only the first statement (sqlparse.parse(s)[0])."""
    kept = []
    for match in TOKEN.finditer(sql):
        token = match.group(0)
        if token.lower() == "distinct":
            continue
        kept.append(token)
        if token == ";":
            break
    return "".join(kept)


def run(db_path, sql):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.text_factory = lambda b: b.decode(errors="ignore")
    try:
        cursor = conn.cursor()
        cursor.execute(CUR_YEAR.sub("2020", sql))
        return cursor.fetchall()
    finally:
        conn.close()


def sorted_row(row):
    return tuple(sorted(row, key=lambda v: str(v) + str(type(v))))


def survives_quick_check(gold, pred, ordered):
    g = [sorted_row(r) for r in gold]
    p = [sorted_row(r) for r in pred]
    return g == p if ordered else set(g) == set(p)


def column_mappings(gold_columns, pred, rng):
    width = len(pred[0])
    allowed = [set(range(width)) for _ in range(width)]
    if width > 3:
        for _ in range(20):
            row = rng.choice(pred)
            for g_col in range(width):
                for p_col in list(allowed[g_col]):
                    if row[p_col] not in gold_columns[g_col]:
                        allowed[g_col].discard(p_col)
    return product(*allowed)


def same_denotation(gold, pred, ordered, rng):
    if not gold and not pred:
        return True
    if len(gold) != len(pred):
        return False
    width = len(gold[0])
    if len(pred[0]) != width:
        return False
    if not survives_quick_check(gold, pred, ordered):
        return False
    gold_columns = [{row[i] for row in gold} for i in range(width)]
    for mapping in column_mappings(gold_columns, pred, rng):
        if len(set(mapping)) != len(mapping):
            continue
        moved = pred if width == 1 else [tuple(row[i] for i in mapping) for row in pred]
        if ordered:
            if moved == gold:
                return True
        elif set(moved) == set(gold) and Counter(moved) == Counter(gold):
            return True
    return False


def check(item, rng):
    gold = strip_distinct(postprocess(item["gold"]))
    pred = strip_distinct(postprocess(item["pred"]))
    ordered = "order by" in gold.lower()
    try:
        gold_rows = run(item["db"], gold)
    except Exception as err:  # noqa: BLE001 - any failure of the gold is reported
        return {"match": False, "gold_error": str(err), "pred_error": None}
    try:
        pred_rows = run(item["db"], pred)
    except Exception as err:  # noqa: BLE001 - any failure of the prediction scores 0
        return {"match": False, "gold_error": None, "pred_error": str(err)}
    return {"match": same_denotation(gold_rows, pred_rows, ordered, rng), "gold_error": None, "pred_error": None}


def main():
    items = json.load(sys.stdin)
    rng = random.Random(0)
    json.dump([check(item, rng) for item in items], sys.stdout)


if __name__ == "__main__":
    main()
