#!/usr/bin/env python3
"""Expected random-query orders, from an independent Python transcription of the algorithm:
SplitMix64 seeding, xoshiro256** (Blackman and Vigna), Lemire's bounded draw, Fisher-Yates over
the case ids sorted. Pure Python 3 (no packages); the values are pinned in
Tests/ActiveLearningTests/RandomQueryTests.swift.

    python3 scripts/vectors/random_query_vectors.py
"""
MASK = (1 << 64) - 1


def rotate_left(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def xoshiro256starstar(seed):
    state, split_mix = [], seed
    for _ in range(4):
        split_mix = (split_mix + 0x9E3779B97F4A7C15) & MASK
        z = split_mix
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        state.append(z ^ (z >> 31))

    def next_value():
        result = (rotate_left((state[1] * 5) & MASK, 7) * 9) & MASK
        t = (state[1] << 17) & MASK
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotate_left(state[3], 45)
        return result

    return next_value


def bounded_draw(bound, next_value):
    product = next_value() * bound
    if product & MASK < bound:
        threshold = ((1 << 64) - bound) % bound
        while product & MASK < threshold:
            product = next_value() * bound
    return product >> 64


def order(case_ids, seed):
    cases, next_value = sorted(case_ids), xoshiro256starstar(seed)
    for i in range(len(cases) - 1, 0, -1):
        j = bounded_draw(i + 1, next_value)
        cases[i], cases[j] = cases[j], cases[i]
    return cases


if __name__ == "__main__":
    print("seed 7, a…f:", order(list("abcdef"), 7))
    print("seed 2024, case-1…case-10:", order([f"case-{i}" for i in range(1, 11)], 2024))
