#!/usr/bin/env python3
"""Generate the same large program in Mix and in OCaml, for parser benchmarks.

The output is deterministic (a fixed seed): by default at least 100,000 lines in each
language, about 2.5-3 MB each. The program is a sequence of numbered "units"; each unit is
one of several templates written twice, once as natural Mix and once as natural OCaml:

  records    record type, record literals, lambdas, |> pipelines over arrays/lists
  shapes     case/variant types, multi-arm lambda / `match`, comparison patterns
  loops      a statement body with var/while/for/if (Mix) vs refs and loops (OCaml)
  strings    let chains, string concatenation, number formatting
  options    option and result values and their matches
  higher     higher-order and curried functions, tuples
  grades     a `switch` statement with guards (Mix) vs `match ... when` (OCaml)

Every unit is wrapped in a module (`module uN ... module end` in Mix, `module UN = struct ... end`
in OCaml). Besides being realistic, this keeps OCaml's record-label disambiguation cheap: with
~2,000 record types sharing field names at top level, `ocamlc -stop-after typing` took over six
minutes; with modules it takes about two seconds.

The OCaml file type-checks with `ocamlc -stop-after typing` (only Stdlib is used).

Usage: gen_program.py [--lines N] [--out DIR] [--seed S]
"""

import argparse
import os
import random
import sys

WORDS = [
    "alpha", "bravo", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "indigo",
    "juniper", "kestrel", "lumen", "marble", "nectar", "onyx", "pepper", "quartz", "raven",
    "saffron", "tundra", "umber", "velvet", "willow", "xenon", "yarrow", "zephyr",
]


class Unit:
    """One unit: the same definitions as Mix text and as OCaml text."""

    def __init__(self, mix, ml):
        self.mix = mix
        self.ml = ml


def records(i, r):
    n = r.randint(10, 60)
    k = r.randint(2, 9)
    lim = r.randint(10, 200)
    w = r.choice(WORDS)
    mix = f"""/// Unit {i}: {w} records, literals and pipelines.
type item{i} = {{ id:number, name:string, score:number, tags:array(string) }}

def make{i}(n) =
  {{ id: n,
    name: "{w}" + number.toString(n),
    score: n * {k} + {i % 97},
    tags: ["{w}", "u{i}"] }}

def items{i} = array.map(make{i}, array.enumerate({n}))

def total{i} =
  items{i}
  |> array.filter(r -> r.score > {lim})
  |> array.map(r -> r.score * 2 + r.id)
  |> array.reduce((x, acc) -> acc + x, 0)

def names{i} =
  items{i}
  |> array.map(r -> r.name + ":" + number.toString(r.score))
  |> string.concat(",")

def bump{i}(r) = r with .score = r.score + {k}

"""
    ml = f"""(** Unit {i}: {w} records, literals and pipelines. *)
type item{i} = {{ id : int; name : string; score : int; tags : string list }}

let make{i} n =
  {{ id = n;
    name = "{w}" ^ string_of_int n;
    score = n * {k} + {i % 97};
    tags = ["{w}"; "u{i}"] }}

let items{i} = List.map make{i} (List.init {n} (fun j -> j))

let total{i} =
  items{i}
  |> List.filter (fun r -> r.score > {lim})
  |> List.map (fun r -> r.score * 2 + r.id)
  |> List.fold_left (fun acc x -> acc + x) 0

let names{i} =
  items{i}
  |> List.map (fun r -> r.name ^ ":" ^ string_of_int r.score)
  |> String.concat ","

let bump{i} r = {{ r with score = r.score + {k} }}

"""
    return Unit(mix, ml)


def shapes(i, r):
    a, b, c = r.randint(2, 9), r.randint(10, 99), r.randint(100, 999)
    mix = f"""// Unit {i}: shapes as cases.
case circle{i}(number)
case rect{i} {{ w:number, h:number }}
case tri{i} [number, number, number]
type shape{i} = circle{i} | rect{i} | tri{i}

def area{i}(s) =
  s
  |> ( self.circle{i}(r) -> {a} * r * r
     | self.rect{i}({{ w: w, h: h }}) -> w * h
     | self.tri{i}([x, y, z]) -> (x + y + z) * {a} )

def size{i} =
  ( 0 -> "empty"
  | n < {b} -> "small"
  | n >= {b} && n < {c} -> "medium"
  | _ -> "large" )

def shapes{i} = [circle{i}({a}), rect{i}({{ w: {b}, h: {a} }}), tri{i}([{a}, {b}, {c}])]

def report{i} = shapes{i} |> array.map(s -> size{i}(area{i}(s)))

"""
    ml = f"""(* Unit {i}: shapes as variants. *)
type shape{i} =
  | Circle{i} of int
  | Rect{i} of {{ w : int; h : int }}
  | Tri{i} of int * int * int

let area{i} s =
  match s with
  | Circle{i} r -> {a} * r * r
  | Rect{i} {{ w; h }} -> w * h
  | Tri{i} (x, y, z) -> (x + y + z) * {a}

let size{i} = function
  | 0 -> "empty"
  | n when n < {b} -> "small"
  | n when n >= {b} && n < {c} -> "medium"
  | _ -> "large"

let shapes{i} = [Circle{i} {a}; Rect{i} {{ w = {b}; h = {a} }}; Tri{i} ({a}, {b}, {c})]

let report{i} = shapes{i} |> List.map (fun s -> size{i} (area{i} s))

"""
    return Unit(mix, ml)


def loops(i, r):
    m = r.randint(2, 7)
    xs = [r.randint(1, 99) for _ in range(r.randint(3, 6))]
    mix_xs = ", ".join(map(str, xs))
    ml_xs = "; ".join(map(str, xs))
    mix = f"""/// Unit {i}: a statement body with loops.
def sum{i}(n) {{
  var s = 0;
  var i = 0;
  while (i < n) {{
    if (number.modInt(i, {m}) == 0) {{ s = s + i }} else {{ s = s - 1 }};
    i = i + 1
  }};
  for (let x in array.valueRange([{mix_xs}])) {{ s = s + x * {m} }};
  return s
}}

def table{i} = array.map(n -> sum{i}(n), array.enumerate({m + 3}))

"""
    ml = f"""(** Unit {i}: a function body with loops. *)
let sum{i} n =
  let s = ref 0 in
  let i = ref 0 in
  while !i < n do
    if !i mod {m} = 0 then s := !s + !i else s := !s - 1;
    i := !i + 1
  done;
  List.iter (fun x -> s := !s + x * {m}) [{ml_xs}];
  !s

let table{i} = List.map (fun n -> sum{i} n) (List.init {m + 3} (fun j -> j))

"""
    return Unit(mix, ml)


def strings(i, r):
    w1, w2 = r.choice(WORDS), r.choice(WORDS)
    lim = r.randint(100, 5000)
    mix = f"""// Unit {i}: let chains and strings.
def describe{i}(name, qty, price) =
  let total = qty * price;
  let label = string.uppercase(name);
  let suffix = if (total > {lim}) " (bulk)" else "";
  label + " x" + number.toString(qty) + " = " + number.toString(total) + suffix

def line{i} = describe{i}("{w1}", {r.randint(1, 50)}, {r.randint(1, 500)})
def long{i} = string.length(line{i} + "/{w2}") + {i % 89}

"""
    ml = f"""(* Unit {i}: let chains and strings. *)
let describe{i} name qty price =
  let total = qty * price in
  let label = String.uppercase_ascii name in
  let suffix = if total > {lim} then " (bulk)" else "" in
  label ^ " x" ^ string_of_int qty ^ " = " ^ string_of_int total ^ suffix

let line{i} = describe{i} "{w1}" {r.randint(1, 50)} {r.randint(1, 500)}
let long{i} = String.length (line{i} ^ "/{w2}") + {i % 89}

"""
    return Unit(mix, ml)


def options(i, r):
    w = r.choice(WORDS)
    v1, v2, d = r.randint(1, 999), r.randint(1, 999), r.randint(0, 5)
    mix = f"""/// Unit {i}: options and results.
type pair{i} = {{ key:string, value:number }}

def table{i} = [{{ key: "{w}", value: {v1} }}, {{ key: "k{i}", value: {v2} }}]

def lookup{i}(k, xs) = option.create(array.find(p -> p.key == k, xs))

def show{i}(o) =
  o
  |> ( global.some(p) -> p.key + "=" + number.toString(p.value)
     | null -> "none" )

def safeDiv{i}(a, b) = if (b == 0) error("division by zero") else ok(number.divInt(a, b))

def check{i} = safeDiv{i}({v1}, {d}) |> (global.ok(v) -> v | global.error(_) -> 0)

def found{i} = show{i}(lookup{i}("{w}", table{i}))

"""
    ml = f"""(** Unit {i}: options and results. *)
type pair{i} = {{ key : string; value : int }}

let table{i} = [{{ key = "{w}"; value = {v1} }}; {{ key = "k{i}"; value = {v2} }}]

let lookup{i} k xs = List.find_opt (fun p -> p.key = k) xs

let show{i} o =
  match o with
  | Some p -> p.key ^ "=" ^ string_of_int p.value
  | None -> "none"

let safeDiv{i} a b = if b = 0 then Error "division by zero" else Ok (a / b)

let check{i} = match safeDiv{i} {v1} {d} with Ok v -> v | Error _ -> 0

let found{i} = show{i} (lookup{i} "{w}" table{i})

"""
    return Unit(mix, ml)


def higher(i, r):
    k = r.randint(2, 30)
    mix = f"""// Unit {i}: higher-order functions and tuples.
def compose{i}(f, g) = x -> f(g(x))
def addN{i}(n) = x -> x + n
def step{i} = compose{i}(addN{i}({k}), x -> x * {k % 7 + 2})

def pairs{i} =
  array.zip([1, 2, 3], ["a", "b", "c"])
  |> array.map(([n, s] -> s + number.toString(step{i}(n))))

def sum{i} = array.reduce((x, acc) -> acc + step{i}(x), 0, [{k}, {k + 1}, {k + 2}])

"""
    ml = f"""(* Unit {i}: higher-order functions and tuples. *)
let compose{i} f g = fun x -> f (g x)
let addN{i} n = fun x -> x + n
let step{i} = compose{i} (addN{i} {k}) (fun x -> x * {k % 7 + 2})

let pairs{i} =
  List.combine [1; 2; 3] ["a"; "b"; "c"]
  |> List.map (fun (n, s) -> s ^ string_of_int (step{i} n))

let sum{i} = List.fold_left (fun acc x -> acc + step{i} x) 0 [{k}; {k + 1}; {k + 2}]

"""
    return Unit(mix, ml)


def grades(i, r):
    hi = r.randint(85, 95)
    lo = r.randint(60, 80)
    mix = f"""/// Unit {i}: a switch statement with guards.
def grade{i}(score) {{
  var label = "";
  switch (score) {{
    case 100: label = "perfect"
    case s when s >= {hi}: label = "A"
    case s >= {lo} && s < {hi}: label = "B"
    case _: label = "C"
  }};
  return label + "{i}"
}}

def grades{i} = [100, {hi}, {lo}, {lo - 1}] |> array.map(grade{i})

"""
    ml = f"""(** Unit {i}: a match with guards. *)
let grade{i} score =
  let label =
    match score with
    | 100 -> "perfect"
    | s when s >= {hi} -> "A"
    | s when s >= {lo} && s < {hi} -> "B"
    | _ -> "C"
  in
  label ^ "{i}"

let grades{i} = [100; {hi}; {lo}; {lo - 1}] |> List.map grade{i}

"""
    return Unit(mix, ml)


TEMPLATES = [records, shapes, loops, strings, options, higher, grades]

MIX_HEADER = """// big.mix — generated by bench/gen_program.py for parser benchmarks. Do not edit.
// The same program is written in OCaml in big.ml.

"""

ML_HEADER = """(* big.ml — generated by bench/gen_program.py for parser benchmarks. Do not edit.
   The same program is written in Mix in big.mix. *)

"""


def indent(text):
    """Indent every non-blank line by two spaces; drop the unit's trailing blank line."""
    lines = text.rstrip("\n").split("\n")
    return "".join(("  " + l if l else "") + "\n" for l in lines)


def generate(target_lines, seed):
    r = random.Random(seed)
    mix_parts, ml_parts = [MIX_HEADER], [ML_HEADER]
    mix_lines = MIX_HEADER.count("\n")
    ml_lines = ML_HEADER.count("\n")
    i = 0
    while min(mix_lines, ml_lines) < target_lines:
        unit = TEMPLATES[i % len(TEMPLATES)](i, r)
        mix = f"module u{i}\n{indent(unit.mix)}module end\n\n"
        ml = f"module U{i} = struct\n{indent(unit.ml)}end\n\n"
        mix_parts.append(mix)
        ml_parts.append(ml)
        mix_lines += mix.count("\n")
        ml_lines += ml.count("\n")
        i += 1
    mix_parts.append(f"module bench\n  def main() = {{ units: {i}, total: u0.total0, report: u1.report1 }}\nmodule end\n")
    ml_parts.append(f"module Bench = struct\n  let main () = ({i}, U0.total0, U1.report1)\nend\n")
    return "".join(mix_parts), "".join(ml_parts)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=100_000,
                   help="minimum number of lines of each file (default 100000)")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"),
                   help="output directory (default bench/out)")
    p.add_argument("--seed", type=int, default=20240315, help="random seed (default fixed)")
    args = p.parse_args(argv)
    if args.lines < 1:
        p.error("--lines must be positive")
    mix, ml = generate(args.lines, args.seed)
    os.makedirs(args.out, exist_ok=True)
    for name, text in (("big.mix", mix), ("big.ml", ml)):
        path = os.path.join(args.out, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{path}: {text.count(chr(10))} lines, {len(text.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
