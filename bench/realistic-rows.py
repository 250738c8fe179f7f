#!/usr/bin/env python3
"""Rows of realistic, about 3x-compressible data for bench/backup.sh, as PostgreSQL COPY text.

    bench/realistic-rows.py ROWS [SEED]

Writes ROWS lines for the table `customer_events` (columns in the order of COLUMNS below) to stdout,
tab-separated, in COPY's text format. Deterministic for a given ROWS and SEED.

What makes it realistic rather than repetitive: words are drawn from a generated vocabulary of 40,000
pseudo-words by a Zipf law (short words common, long words rare), mixed with stock phrases that
recur as collocations do, so texts share words and phrases but no two texts repeat; every row
also has a random UUID, a random IPv4 address, random amounts, scores and reference codes
(incompressible), and a JSON document whose keys repeat from row to row, as they do in real tables.
zstd -3 compresses this COPY text about 3x (bench/backup.sh measures and prints the exact figure);
pgbench's tables, by contrast, compress about 20x.
"""
import bisect
import itertools
import random
import sys

COLUMNS = ("id", "occurred_at", "customer_id", "session_id", "event_type", "email", "amount",
           "quantity", "client_ip", "title", "body", "attrs")

ONSETS = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
          "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "pl", "pr", "sc", "sh", "sl", "sm",
          "sn", "sp", "st", "str", "th", "tr", "wh", ""]
NUCLEI = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ee", "ie", "oo", "ou", "y"]
CODAS = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "ng", "nt", "rs", "st", "ck", "rd", "ll"]
EVENT_TYPES = ["page_view"] * 30 + ["search"] * 12 + ["add_to_cart"] * 8 + ["checkout"] * 3 + \
              ["purchase"] * 3 + ["login"] * 6 + ["logout"] * 4 + ["review"] * 2 + ["refund"] + \
              ["support_ticket"] + ["wishlist_add"] * 3 + ["share"] * 2 + ["signup"]
TLDS = ["com"] * 10 + ["net"] * 3 + ["org"] * 2 + ["de", "fr", "co.uk", "io", "nl", "es", "it", "ca"]
COUNTRIES = ["US", "DE", "FR", "GB", "NL", "ES", "IT", "CA", "BR", "IN", "JP", "PL", "SE", "AU",
             "MX", "CH", "AT", "BE", "DK", "NO", "FI", "IE", "PT", "CZ", "RO", "HU", "GR", "TR",
             "ZA", "KR"]
BROWSERS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{w} Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{m} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
            "Mozilla/5.0 (Linux; Android 14; SM-S91{m}B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36"]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def vocabulary(rng, size):
    words = set()
    while len(words) < size:
        syllables = rng.choices((1, 2, 3, 4), weights=(30, 40, 22, 8))[0]
        words.add("".join(rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS)
                          for _ in range(syllables)))
    # Short words are the common ones, as in natural language.
    return sorted(words, key=lambda w: (len(w), w))


def main():
    rows = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 20261121)
    vocab = vocabulary(rng, 40000)
    # Mostly rank order (short words common), with some shuffling so frequency is not length alone.
    for i in range(len(vocab) - 1):
        if rng.random() < 0.3:
            j = min(len(vocab) - 1, i + rng.randint(1, 50))
            vocab[i], vocab[j] = vocab[j], vocab[i]
    cum = list(itertools.accumulate(1.0 / (r + 1) ** 1.05 for r in range(len(vocab))))
    # Stock phrases (2-5 words) that recur across rows, as collocations do in real text; 40 % of the
    # body's words are replaced by one.
    phrases = [" ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(2, 5))) for _ in range(5000)]
    phrase_cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(phrases))))
    first_names = vocab[200:2200]
    last_names = vocab[1000:9000]
    domains = [rng.choice(vocab[300:20000]) + rng.choice(("", "", "mail", "shop", "net", "-online"))
               for _ in range(3000)]
    customers = 400000
    customer_cum = list(itertools.accumulate(1.0 / (r + 1) ** 0.8 for r in range(customers)))
    customer_ids = list(range(1, customers + 1))
    rng.shuffle(customer_ids)

    choices = rng.choices
    randint = rng.randint
    random_ = rng.random
    getrandbits = rng.getrandbits
    t = 1704067200.0  # 2024-01-01 00:00:00 UTC
    out = sys.stdout
    buf = []
    for i in range(1, rows + 1):
        t += rng.expovariate(1 / 1.7)
        secs = int(t)
        micros = int((t - secs) * 1e6)
        # A timestamp string without the datetime module (fast): days since the epoch -> civil date.
        days, rem = divmod(secs, 86400)
        z = days + 719468
        era = z // 146097
        doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        day = doy - (153 * mp + 2) // 5 + 1
        month = mp + 3 if mp < 10 else mp - 9
        year = yoe + era * 400 + (month <= 2)
        hh, rem = divmod(rem, 3600)
        mm, ss = divmod(rem, 60)
        ts = f"{year:04d}-{month:02d}-{day:02d} {hh:02d}:{mm:02d}:{ss:02d}.{micros:06d}+00"

        customer = customer_ids[bisect.bisect_left(customer_cum, random_() * customer_cum[-1])]
        uuid = f"{getrandbits(128):032x}"
        uuid = f"{uuid[:8]}-{uuid[8:12]}-4{uuid[13:16]}-{uuid[16:20]}-{uuid[20:]}"
        event = EVENT_TYPES[randint(0, len(EVENT_TYPES) - 1)]
        fn = first_names[randint(0, len(first_names) - 1)]
        ln = last_names[randint(0, len(last_names) - 1)]
        email = f"{fn}.{ln}{randint(1, 99) if random_() < 0.4 else ''}@{domains[customer % len(domains)]}.{TLDS[customer % len(TLDS)]}"
        amount = f"{rng.lognormvariate(3.2, 1.1):.2f}" if event in ("purchase", "checkout", "refund", "add_to_cart") else "0.00"
        quantity = randint(1, 12) if amount != "0.00" else 0
        ip = f"{randint(1, 223)}.{randint(0, 255)}.{randint(0, 255)}.{randint(1, 254)}"

        n_title = randint(3, 9)
        n_body = randint(18, 70)
        words = choices(vocab, cum_weights=cum, k=n_title + n_body + 3)
        title = " ".join(words[:n_title]).capitalize()
        stock = choices(phrases, cum_weights=phrase_cum, k=n_body)
        body_words = [stock[j] if random_() < 0.4 else w for j, w in enumerate(words[n_title:n_title + n_body])]
        sentences = []
        k = 0
        while k < n_body:
            n = randint(5, 16)
            s = " ".join(body_words[k:k + n])
            sentences.append(s[:1].upper() + s[1:] + ("." if random_() < 0.85 else "?"))
            k += n
        body = " ".join(sentences)
        tags = ", ".join(f'"{w}"' for w in words[n_title + n_body:n_title + n_body + randint(1, 3)])
        browser = BROWSERS[customer % len(BROWSERS)].format(v=randint(110, 131), w=f"17.{randint(0, 6)}",
                                                            m=randint(0, 9))
        ref = "".join(BASE62[getrandbits(6) % 62] for _ in range(10))
        attrs = (f'{{"ua": "{browser}", "country": "{COUNTRIES[customer % len(COUNTRIES)]}", '
                 f'"tags": [{tags}], "score": {random_():.6f}, "ref": "{ref}", '
                 f'"consent": {"true" if customer % 3 else "false"}, "page": {randint(1, 40)}}}')
        buf.append(f"{i}\t{ts}\t{customer}\t{uuid}\t{event}\t{email}\t{amount}\t{quantity}\t{ip}\t"
                   f"{title}\t{body}\t{attrs}\n")
        if len(buf) >= 2000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


if __name__ == "__main__":
    main()
