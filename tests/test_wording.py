"""The wording rules on labelled sentences: precision and recall per family, every
suggestion they make (a golden file, read line by line), and the documented examples."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from generator.check.parse import Hit
from generator.check.wording import CATEGORIES, judge

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
#: Labelled sentences, each with the families that must fire ([] for none). The
#: two held-out sets were written apart from the rules and the first set, to see
#: how the rules do on sentences they were not tuned on (the README gives those
#: first figures); all three count here.
CORPORA = tuple(
    TESTS / "data" / f"wording-corpus{part}.yaml"
    for part in ("", "-heldout", "-heldout-2", "-heldout-3", "-redteam")
)
GOLDEN = TESTS / "golden" / "wording-suggestions.txt"
FAMILIES = tuple(CATEGORIES)
#: The bar each family must clear on the corpus.
PRECISION, RECALL = 0.95, 0.90


def _corpus() -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for path in CORPORA:
        entries.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return entries


def _judged(entries: list[dict[str, object]]) -> list[list[Hit]]:
    """Each entry's hits, headings judged as headings."""
    found: dict[int, list[Hit]] = {}
    for heading in (False, True):
        chosen = [i for i, e in enumerate(entries) if (e["where"] == "heading") is heading]
        hits = judge([str(entries[i]["text"]) for i in chosen], heading=heading)
        found.update(zip(chosen, hits, strict=True))
    return [found[i] for i in range(len(entries))]


@pytest.fixture(scope="module")
def corpus() -> list[tuple[dict[str, object], list[Hit]]]:
    entries = _corpus()
    return list(zip(entries, _judged(entries), strict=True))


def _scores(
    corpus: list[tuple[dict[str, object], list[Hit]]], families: tuple[str, ...] = FAMILIES
) -> dict[str, tuple[float, float]]:
    """Precision and recall of each family over labelled entries and the hits they got."""
    counts: Counter[tuple[str, str]] = Counter()
    for entry, hits in corpus:
        got = {h.family for h in hits}
        wanted = set(entry["rules"])  # type: ignore[call-overload]
        for family in families:
            if family in got:
                counts[family, "tp" if family in wanted else "fp"] += 1
            elif family in wanted:
                counts[family, "fn"] += 1
    return {
        f: (
            counts[f, "tp"] / max(1, counts[f, "tp"] + counts[f, "fp"]),
            counts[f, "tp"] / max(1, counts[f, "tp"] + counts[f, "fn"]),
        )
        for f in families
    }


def test_the_corpus_is_large_and_labelled_with_known_families() -> None:
    entries = _corpus()
    assert len(entries) >= 300
    assert len({str(e["text"]) for e in entries}) == len(entries), "a sentence twice"
    for entry in entries:
        assert set(entry["rules"]) <= set(FAMILIES), entry  # type: ignore[call-overload]
        assert entry["where"] in ("sentence", "heading"), entry
    for family in FAMILIES:
        assert sum(family in e["rules"] for e in entries) >= 50  # type: ignore[operator]
    assert sum(not e["rules"] for e in entries) >= 150


def test_every_family_is_precise_and_finds_what_it_should(corpus) -> None:  # type: ignore[no-untyped-def]
    misses = [
        (family, entry["text"], sorted(h.family for h in hits))
        for entry, hits in corpus
        for family in FAMILIES
        if (family in {h.family for h in hits}) != (family in entry["rules"])
    ]
    for family, (precision, recall) in _scores(corpus).items():
        assert precision >= PRECISION, (family, precision, misses)
        assert recall >= RECALL, (family, recall, misses)


@pytest.mark.parametrize("part", ["-redteam", "-heldout-3"])
def test_the_newest_sets_alone_clear_the_bar(corpus, part: str) -> None:  # type: ignore[no-untyped-def]
    """What a red-team pass found (curly apostrophes, emphasis, blame, labels on the
    reader, more duties and promises, leave that read as orders; before: 0.22 / 0.12
    for directives), and the held-out set written after it (blame by what might have
    been or by effort, "always" and "ever … again"), each held to the bar on its own
    so the larger sets can't hide them."""
    path = TESTS / "data" / f"wording-corpus{part}.yaml"
    texts = {str(e["text"]) for e in yaml.safe_load(path.read_text(encoding="utf-8"))}
    for family, (precision, recall) in _scores(
        [(e, h) for e, h in corpus if e["text"] in texts]
    ).items():
        assert precision >= PRECISION and recall >= RECALL, (family, precision, recall)


def test_the_readme_reports_the_figures_the_corpus_gives(corpus) -> None:  # type: ignore[no-untyped-def]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for family, (precision, recall) in _scores(corpus).items():
        row = f"| `wording.{family}` | {precision:.2f} | {recall:.2f} |"
        assert row in readme, f"README should say {row}"
    assert f"{len(corpus)} labelled sentences" in readme


def _golden_lines(corpus: list[tuple[dict[str, object], list[Hit]]]) -> list[str]:
    lines = []
    for entry, hits in corpus:
        for h in hits:
            if h.rewrite:
                lines.append(f"{entry['text']}\n    {h.family}: {h.said} \u2192 {h.rewrite}")
    return lines


def test_every_rewrite_the_corpus_gets_is_in_the_golden_file(corpus) -> None:  # type: ignore[no-untyped-def]
    """A rewrite is offered only when it is sure to be grammatical: each one the rules
    make on the corpus is listed here, and was read as a sentence when it changed."""
    text = "\n".join(_golden_lines(corpus)) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_rewrites_keep_the_sentence_whole(corpus) -> None:  # type: ignore[no-untyped-def]
    rewrites = [(e, h) for e, hits in corpus for h in hits if h.rewrite]
    assert len(rewrites) >= 40
    for entry, h in rewrites:
        assert h.rewrite is not None
        said = h.rewrite.strip("\u201c\u201d")
        assert said[:1].isupper(), (entry["text"], said)
        assert "  " not in said and " ," not in said and not said.startswith(" ")
        assert said.rstrip("\u201d").endswith((".", "!", "?")) == str(entry["text"]).endswith(
            (".", "!", "?")
        )
        # Only the flagged words change: the rest of the sentence is as written.
        assert said != entry["text"]


def test_a_finding_without_a_rewrite_offers_a_pattern(corpus) -> None:  # type: ignore[no-untyped-def]
    from generator.check.parse import wording_data

    kinds = {(h.family, h.kind) for _, hits in corpus for h in hits if not h.rewrite}
    assert len(kinds) >= 6
    for family, kind in kinds:
        pattern = wording_data()[family]["kinds"][kind]["pattern"]
        assert "\u201c" in pattern, (family, kind)


# --- the documented examples --------------------------------------------------------

_DOC = ROOT / "docs" / "wording.md"
_EXAMPLE = re.compile(r"^- (flags|passes): \u201c(.+)\u201d$")


def _documented() -> list[tuple[str, str, bool]]:
    """(family, sentence, whether it is flagged) for each example in docs/wording.md."""
    family = ""
    found = []
    for line in _DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## `wording."):
            family = line.removeprefix("## `wording.").split("`")[0]
        elif (match := _EXAMPLE.match(line)) and family:
            found.append((family, match.group(2), match.group(1) == "flags"))
    return found


def test_every_family_documents_what_it_flags_and_what_it_does_not() -> None:
    documented = _documented()
    for family in FAMILIES:
        assert sum(f == family and flags for f, _, flags in documented) >= 5, family
        assert sum(f == family and not flags for f, _, flags in documented) >= 5, family


def test_the_documented_examples_do_what_the_page_says() -> None:
    documented = _documented()
    hits = judge([text for _, text, _ in documented])
    wrong = [
        (family, text, flags)
        for (family, text, flags), found in zip(documented, hits, strict=True)
        if (family in {h.family for h in found}) != flags
    ]
    assert wrong == []


#: Headings that order the reader, and the trigger each is found by.
HEADING_ORDERS = {
    "You must calm down now": "must",
    "You Should Feel Better by Now": "should",
    "You've got to try this": "got to",
    "Things you need to do every day": "need to",
    "Steps You Must Follow": "must",
    "Warning signs you must never ignore": "must",
    "Rules you have to follow": "have to",
    "Never give up": "never",
    "Don't Go It Alone": "don't",
    "Calm down": "calm down",
    "Just relax": "relax",
    "Always Be Positive": "always",
    "Snap out of it": "snap out",
    "Man up": "man up",
}
#: Headings that name a topic, a way out, or a title's catchphrase: no order.
HEADING_TOPICS = [
    "What You Need to Know About Sleep",
    "When you need to stop",
    "Why you should never give up",
    "If you must leave early",
    "Five things you must know before you start",
    "Things you should tell your doctor",
    "Questions you should ask",
    "You don't have to do this alone",
    "Don't feel you have to finish",
    "Don't panic: understanding panic attacks",
    "Stop, breathe, notice",
    "Stop worrying? Why anxiety is not a choice",
    "Notice your breath",
    "Try this",
    "Be kind to yourself",
    '"You must be strong" and other myths',
    "It must be my fault: a common thought",
]


def test_a_heading_that_orders_is_found_and_a_topic_is_not() -> None:
    found = judge([*HEADING_ORDERS, *HEADING_TOPICS], heading=True)
    said = {
        text: [h.phrase for h in hits if h.family == "directive"]
        for text, hits in zip([*HEADING_ORDERS, *HEADING_TOPICS], found, strict=True)
    }
    assert {t: said[t] for t in HEADING_ORDERS} == {t: [p] for t, p in HEADING_ORDERS.items()}
    assert {t: said[t] for t in HEADING_TOPICS} == {t: [] for t in HEADING_TOPICS}


def test_state_orders_are_orders_only_as_imperatives() -> None:
    texts = ["Grow up.", "Buck up, it could be worse.", "Chill out for a minute."]
    quiet = ["Your child will grow up knowing you tried.", "Some men were told to man up as boys."]
    found = judge([*texts, *quiet])
    assert [[h.kind for h in hits] for hits in found] == [["state"]] * 3 + [[]] * 2


#: Sentences from a blind test set's misses and false alarms, and their neighbours:
#: (text, the families it should get).
BLIND_CASES = [
    # Promises of a feeling improving, of getting through, of never again.
    ("Your grief will get easier with time.", {"promise"}),
    ("It will get easier.", {"promise"}),
    ("With the right support, you will get through this.", {"promise"}),
    ("After detox, you\u2019ll never crave a drink again.", {"promise"}),
    ("If you follow the plan, you will never relapse.", {"promise"}),
    ("Your sleep may get easier with time.", set()),
    ("Most people find it gets easier.", set()),
    ("The questions will get harder.", set()),
    ("You will get through the form quickly.", set()),
    ("Some people will never relapse.", set()),
    ("You will never have to share your story.", set()),
    # An obligation whose "you" is the verb it is joined to.
    ("You can rest and must not rush.", {"directive"}),
    ("They tried and must start again.", set()),
    ("You went home and had to start again.", set()),
    # A timetable joined to another: still a timetable.
    ("The group will meet on Tuesdays and will end in June.", set()),
    # A state of mind ordered.
    ("Calm your mind.", {"directive"}),
    ("Clear your head before bed.", {"directive"}),
    ("This can calm your mind.", set()),
    ("Clear your desk first.", set()),
    # "Should you…" opening a sentence is a condition.
    ("Should you wish to stop the session, just say so.", set()),
    ("Should you feel unsafe, call 999.", set()),
    # Blame reported and rejected, or denied through "a sign that".
    ("You were told it was your fault, and that was wrong.", set()),
    ("Relapse is common and is not a sign that you have failed.", set()),
    # The reader blamed for lacking something.
    ("Your relapse shows a lack of willpower.", {"shaming"}),
    ("You lack discipline.", {"shaming"}),
    ("Relapse is not a lack of willpower.", set()),
    ("A lack of sleep can make you irritable.", set()),
    ("Relapse does not mean you lack willpower.", set()),
    # Safety promised of where the reader is, or by a clause joined to "feel".
    ("Your bedroom is a safe place.", {"promise"}),
    ("You are in a safe place now.", {"promise"}),
    (
        "Panic attacks feel frightening, but they are not dangerous and cannot hurt you.",
        {"promise"},
    ),
    ("Your bedroom can be a safe place, or it may not be.", set()),
    ("Your bedroom is not always a safe place.", set()),
    ("If your bedroom is a safe place, you might rest there.", set()),
    ("Some people find their bedroom is a safe place.", set()),
    ("Picture a safe place.", set()),
    ("It can feel like you should be over it by now.", set()),
    # A label put on the reader in the passive, in the handout's own voice.
    ("You are considered non-compliant if you miss three appointments.", {"shaming"}),
    ("You will be labelled resistant if you refuse.", {"shaming"}),
    ("You may be called lazy by people who do not understand.", set()),
    ("You are not considered weak for asking.", set()),
]


#: A second blind set (2026-12-01, 200 sentences written from the content guide alone)
#: found these classes missed: obligations in the passive ("medication should be taken
#: as prescribed", "you are required to"), insistence ("…, no matter how you feel",
#: "try harder"), people named by a diagnosis ("schizophrenics", "the mentally ill"),
#: labels of what the reader feels ("your reactions are crazy"), the will to get better
#: doubted, and certainty ("relapse is impossible", "recovery is certain", "in no
#: time"). Each below, with variants of our own and sentences that only look like them.
SECOND_BLIND_CASES: list[tuple[str, set[str]]] = [
    ("You are required to complete the worksheet before your next appointment.", {"directive"}),
    ("Try harder to think positive thoughts.", {"directive"}),
    ("Quit dwelling on the past.", {"directive"}),
    ("Your homework must be finished before each session.", {"directive"}),
    ("Medication should be taken exactly as prescribed.", {"directive"}),
    ("Alcohol and street drugs must be avoided during treatment.", {"directive"}),
    ("Pull yourself together and get back to your routine.", {"directive"}),
    ("Keep your mind off the trauma by staying busy at all times.", {"directive"}),
    ("Get out of bed at the same time every morning, no matter how you feel.", {"directive"}),
    ("It's important that you stop avoiding your feelings right away.", {"directive"}),
    ("Your damaged nervous system overreacts to small things.", {"shaming"}),
    ("Your reactions are crazy, but they can be managed.", {"shaming"}),
    ("Acting out like this is childish.", {"shaming"}),
    ("Being so sensitive is a flaw you can work on.", {"shaming"}),
    ("Depressives tend to see the world in a negative way.", {"shaming"}),
    ("Schizophrenics can live full lives with treatment.", {"shaming"}),
    ("Missing sessions shows you are not serious about getting better.", {"shaming"}),
    ("Anxious people are often irrational and overdramatic.", {"shaming"}),
    ("The mentally ill often struggle to keep a job.", {"shaming"}),
    ("You were foolish to trust that person.", {"shaming"}),
    ("Your non-compliance with the plan slows your recovery.", {"shaming"}),
    ("A psychotic can be dangerous when untreated.", {"shaming"}),
    ("Your crazy thoughts are not worth listening to.", {"shaming"}),
    ("Clients who self-harm are weak-willed.", {"shaming"}),
    ("Your panic attacks are a silly overreaction.", {"shaming"}),
    ("Giving in to the urge to drink is a moral failing.", {"shaming"}),
    ("Survivors like you tend to be fragile and needy.", {"shaming"}),
    ("Nothing bad can happen to you here.", {"promise"}),
    ("With this plan, relapse is impossible.", {"promise"}),
    ("Exposure therapy removes fear permanently.", {"promise"}),
    ("Recovery is certain if you follow these steps.", {"promise"}),
    ("You will be back to your old self in no time.", {"promise"}),
    ("Mindfulness completely gets rid of stress.", {"promise"}),
    ("You'll sleep through the night after the first week.", {"promise"}),
    ("By the end of treatment, you will have no more symptoms.", {"promise"}),
    ("You must be tired after a week like that.", set()),
    # A denial covers every word of its list, not a clause after it.
    ("You are not weak or broken.", set()),
    ("They are not choices or flaws.", set()),
    ("You are not lazy, you are broken.", {"shaming"}),
    ("What you should know about PTSD", set()),
    ("You are expected to attend every group.", {"directive"}),
    ("Try harder next time.", {"directive"}),
    ("Stop obsessing over what went wrong.", {"directive"}),
    ("Your worksheets should be handed in on Monday.", {"directive"}),
    ("Painkillers must be taken with food.", {"directive"}),
    ("Pull yourself together.", {"directive"}),
    ("Suck it up and keep going.", {"directive"}),
    ("Practise the breathing every morning without fail.", {"directive"}),
    ("It is important that you finish the course.", {"directive"}),
    ("Her damaged brain cannot be trusted.", {"shaming"}),
    ("Your fears are silly.", {"shaming"}),
    ("Epileptics should not drive.", {"shaming"}),
    ("A schizophrenic may hear voices.", {"shaming"}),
    ("Those thoughts of yours are childish.", {"shaming"}),
    ("Anorexics often hide their eating.", {"shaming"}),
    ("Crying in public is a flaw to fix.", {"shaming"}),
    ("You are not committed to your recovery.", {"shaming"}),
    ("No one can hurt you here, and nothing bad can happen to you in this room.", {"promise"}),
    ("Flashbacks are impossible once you finish the program.", {"promise"}),
    ("This app permanently erases traumatic memories.", {"promise"}),
    ("Success is guaranteed, and healing is certain.", {"promise"}),
    ("You will feel back to normal in no time.", {"promise"}),
    ("After three sessions you will have no more nightmares.", {"promise"}),
    ("You'll sleep through the night from now on.", {"promise"}),
    (
        "Take your medication as your doctor suggests; if it should be changed, they will tell you.",
        set(),
    ),
    ("The form must be signed by a parent.", set()),
    ("Records must be kept for seven years.", set()),
    ("Medication can be taken with food.", set()),
    ("Symptoms must be present for at least a month before a diagnosis is made.", set()),
    ("A diagnosis should be made by a trained professional.", set()),
    ("Nothing should be done without your consent.", set()),
    ("No one should be made to feel ashamed.", set()),
    ("You are not required to share anything.", set()),
    ("You might be expected to bring a friend.", set()),
    ("If you are required to attend, the letter will say so.", set()),
    ("It's important that you know you are not alone.", set()),
    ("It is important that you feel safe in the room.", set()),
    ("It's important to go at your own pace.", set()),
    ("Help is there at all times.", set()),
    ("Remember that the line is open at all times.", set()),
    ("You can stop at any time, no matter what.", set()),
    ("Stop at any point, no matter how far you got.", set()),
    ("You must be feeling worn out.", set()),
    ("Try to notice when you push harder than you need to.", set()),
    ("Your reactions make sense.", set()),
    ("Your thoughts are not crazy.", set()),
    ("It might feel silly at first.", set()),
    ("Irrational fears are common after trauma.", set()),
    ("A psychotic episode can be frightening.", set()),
    ("People living with schizophrenia can live full lives.", set()),
    # Person-first words say "people with a mental illness".
    ("Mentally ill people deserve care.", {"shaming"}),
    ("A setback is not a failure.", set()),
    ("It is impossible to predict who will develop PTSD.", set()),
    ("Recovery is possible.", set()),
    ("It is certain that some days will be harder.", set()),
    ("Breathing out slowly can completely change how you feel.", set()),
    ("You will have no more than three sessions.", set()),
    ("You will have no homework.", set()),
    ("After the group, you will be back in the waiting room.", set()),
    ("You'll sleep in your own bed.", set()),
    ("No matter what happened, it was not your fault.", set()),
    ("No matter how you feel today, you are welcome here.", set()),
    ("Some people find their panic attacks are less frightening once they understand them.", set()),
    ("Your feelings are valid, and your reactions are the body's way of protecting you.", set()),
    ("Being sensitive is not a flaw.", set()),
    ("Your fear is not a weakness.", set()),
    ("You may have been called lazy or dramatic by others.", set()),
    ("This plan is not a guarantee, and setbacks are part of recovery.", set()),
    ("The aim is not to get rid of anxiety completely.", set()),
    ("You might find that the worry eases.", set()),
    ("A schizophrenia diagnosis can feel frightening.", set()),
    ("She was told she was psychotic.", set()),
    ("Relapse is common, and it is not impossible to get back on track.", set()),
    ("You must be wondering what comes next.", set()),
    ("You are expected at 10 am on Monday.", set()),
    ("Mindfulness does not completely remove stress.", set()),
    ("Your homework is optional.", set()),
    ("Nothing you say can be used against you.", set()),
]


#: A third blind set (2026-12-01, 360 sentences from the content guide alone) found
#: judging words the labels lacked ("selfish", "disgusting", "cowards", "being
#: difficult"), more people named by a diagnosis ("insomniacs", "drug abusers",
#: "psychotic people"), bans ("forbidden", "not allowed"), "forgive" ordered, and
#: certainty ("sure to be gone", "will work for you", "feel no guilt", "never have to
#: feel this sad again"); and three false alarms where the label was set against
#: another word ("strength, not weakness"). Each below, with variants and look-alikes.
THIRD_BLIND_CASES: list[tuple[str, set[str]]] = [
    ("You will wake up refreshed every morning with this routine.", {"promise"}),
    ("Insomniacs make their own problems worse by worrying.", {"shaming"}),
    ("Never nap during the day, no matter how tired you feel.", {"directive"}),
    ("Having panic attacks means you are a nervous wreck.", {"shaming"}),
    ("Leaving early is absolutely forbidden during exposure practice.", {"directive"}),
    ("Grieving people who cling to the past are being selfish.", {"shaming"}),
    ("Anyone still crying after six months is emotionally unstable.", {"shaming"}),
    ("You'll never have to feel this sad again once you accept the loss.", {"promise"}),
    ("Your reaction is excessive and morbid.", {"shaming"}),
    ("All alcoholics are in denial.", {"shaming"}),
    ("Your drinking is disgusting and selfish.", {"shaming"}),
    ("You'll be completely sober and happy within a month.", {"promise"}),
    ("Your cravings are sure to be gone after detox.", {"promise"}),
    ("Drug abusers are a drain on their families.", {"shaming"}),
    ("People who self-harm are just attention seekers.", {"shaming"}),
    ("Cutters need to learn better ways to cope.", {"shaming"}),
    ("Your self-destructive behaviour is ruining your family.", {"shaming"}),
    (
        "Self-harm is something you are strictly forbidden to do while in our program.",
        {"directive"},
    ),
    ("People who attempt suicide are cowards.", {"shaming"}),
    ("Patients who refuse medication are being difficult.", {"shaming"}),
    ("Your paranoid delusions are nonsense.", {"shaming"}),
    ("Psychotic people shouldn't be left alone with children.", {"shaming"}),
    ("There's no doubt this treatment will work for you.", {"promise"}),
    ("Your body is disgusting at this weight.", {"shaming"}),
    ("This meal plan will fully restore your health in eight weeks.", {"promise"}),
    ("You will never binge again after this program.", {"promise"}),
    ("Your greedy eating habits caused this.", {"shaming"}),
    ("Weighing yourself is not allowed between appointments.", {"directive"}),
    ("You are 100% certain to regain your periods once you reach your target weight.", {"promise"}),
    ("Fat clients often lie about what they eat.", {"shaming"}),
    ("You will feel no guilt about food after just one session.", {"promise"}),
    ("Prolonged exposure therapy will erase your trauma memories.", {"promise"}),
    ("Forgive your abuser so you can move on.", {"directive"}),
    ("Kids who act out after trauma are just spoiled.", {"shaming"}),
    ("Slips can happen, and they are often part of recovery rather than a failure.", set()),
    ("Calling a crisis line is a sign of strength, not weakness.", set()),
    ("Bloods must be taken every three months for patients on clozapine.", set()),
    ("You are allowed to take a break at any time.", set()),
    ("Visitors are not allowed on the ward after eight.", set()),
    ("Some people find it hard to forgive, and that is okay.", set()),
    ("Asylum seekers may need extra support.", set()),
    ("This can be difficult at first.", set()),
    ("People with schizophrenia can live full lives.", set()),
    ("Your abuser is responsible for what happened.", set()),
    ("Alcohol is a drug that affects sleep.", set()),
    ("You are bound to have bad days.", set()),
    ("You are sure to feel nervous at first.", set()),
    ("Schizophrenic patients need close watching.", {"shaming"}),
    ("Cutting is strictly prohibited while you are with us.", {"directive"}),
    ("Insomniacs often nap too much.", {"shaming"}),
    ("Your eating habits are disgusting.", {"shaming"}),
    ("This therapy will work for you.", {"promise"}),
    ("You will never have to feel this way again.", {"promise"}),
    ("You're certain to recover.", {"promise"}),
    ("Alcoholics Anonymous meetings are free.", set()),
    ("A bipolar diagnosis can be a relief.", set()),
]


@pytest.mark.parametrize(
    "cases",
    [BLIND_CASES, SECOND_BLIND_CASES, THIRD_BLIND_CASES],
    ids=["first", "second", "third"],
)
def test_what_each_blind_set_found_is_read_right(cases: list[tuple[str, set[str]]]) -> None:
    found = judge([text for text, _ in cases])
    got = {text: {h.family for h in hits} for (text, _), hits in zip(cases, found, strict=True)}
    assert got == dict(cases)
