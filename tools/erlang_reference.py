#!/usr/bin/env python3
"""Reference Erlang C values for the large-centre cases in src/forecast/staffing/erlang.rs tests.

Printed Erlang C tables stop well below 200 agents, so the >= 200-agent reference values are
computed here independently of the Rust code: the textbook closed form

    C(A, N) = (A^N/N! * N/(N-A)) / (sum_{k<N} A^k/k! + A^N/N! * N/(N-A))

summed directly at 80 significant digits with mpmath (no recursion, no Erlang B), and

    SL(t) = 1 - C * exp(-(N-A) * t / AHT),   ASA = C * AHT / (N-A).

Not needed by `cargo test`; rerun to check or extend the table:

    python3 tools/erlang_reference.py
"""

import mpmath

mpmath.mp.dps = 80

# (traffic erlangs, agents, AHT seconds, answer-within seconds)
CASES = [
    ("48", 55, 240, 15),
    ("180", 200, 300, 20),
    ("230", 250, 300, 20),
    ("275.5", 300, 180, 20),
    ("440", 470, 420, 30),
    ("900", 940, 300, 20),
]


def erlang_c(a, n):
    a = mpmath.mpf(a)
    head = mpmath.fsum(a**k / mpmath.factorial(k) for k in range(n))
    tail = a**n / mpmath.factorial(n) * n / (n - a)
    return tail / (head + tail)


# (traffic erlangs, AHT seconds, service level goal, answer-within seconds, max occupancy)
REQUIRED = [
    ("10", 180, 0.8, 20, 1.0),
    ("10", 180, 0.8, 20, 0.85),
    ("48", 240, 0.8, 15, 1.0),
    ("230", 300, 0.8, 20, 1.0),
    ("230", 300, 0.8, 20, 0.85),
    ("900", 300, 0.95, 10, 1.0),
]


def required(a, aht, goal, t, max_occ):
    a = mpmath.mpf(a)
    n = int(mpmath.floor(a)) + 1
    while a / n > max_occ or 1 - erlang_c(a, n) * mpmath.exp(-(n - a) * t / aht) < goal:
        n += 1
    return n


def main():
    print("traffic, agents, aht_s, within_s, wait_probability, service_level, asa_s")
    for a, n, aht, t in CASES:
        c = erlang_c(a, n)
        sl = 1 - c * mpmath.exp(-(n - mpmath.mpf(a)) * t / aht)
        asa = c * aht / (n - mpmath.mpf(a))
        print(
            f"({a}, {n}, {aht}, {t}, "
            f"{mpmath.nstr(c, 15)}, {mpmath.nstr(sl, 15)}, {mpmath.nstr(asa, 15)}),"
        )

    print("traffic, aht_s, goal, within_s, max_occupancy, required_agents")
    for a, aht, goal, t, occ in REQUIRED:
        print(f"({a}, {aht}, {goal}, {t}, {occ}, {required(a, aht, goal, t, occ)}),")


if __name__ == "__main__":
    main()
