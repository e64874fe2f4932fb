"""Invariants over random valid answer sets of the bundled frameworks: bounds, monotonicity, order, paths."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import Framework, ScoreCard, apply_changes, parse_answers, path_to_level, score
from scoring.engine.framework import Question
from scoring.engine.serialize import card_as_data, card_from_data, path_as_data, path_from_data
from tests.scoring.engine.frameworks import Item, carried, eu_dma, miit, walk_nodes

SETTINGS = settings(max_examples=60, deadline=None)


def values(question: Question) -> st.SearchStrategy[Item]:
    """Any valid value of one question: an option, a subset of options or the exclusive one alone, a level."""
    key = question.key
    if question.kind == "single_choice":
        return st.sampled_from([o.key for o in question.options]).map(lambda k: {"question": key, "choice": k})
    if question.kind == "multiple_choice":
        plain = [o.key for o in question.options if not o.exclusive]
        exclusive = [o.key for o in question.options if o.exclusive]
        subsets = st.lists(st.sampled_from(plain), unique=True).map(lambda keys: {"question": key, "choices": keys})
        if not exclusive:
            return subsets
        return st.one_of(subsets, st.sampled_from(exclusive).map(lambda k: {"question": key, "choices": [k]}))
    if question.kind == "scenario":
        return st.integers(0, 4).map(lambda level: {"question": key, "level": level})
    raise AssertionError(f"no strategy for {question.kind}")


@st.composite
def answer_items(draw: st.DrawFn, framework: Framework) -> list[Item]:
    """Per question, either nothing or a valid value."""
    items = []
    for question in framework.questions.values():
        item = draw(st.none() | values(question))
        if item is not None:
            items.append(item)
    return items


def better_values(question: Question, item: Item | None) -> list[Item]:
    """Every answer of `question` at least as good as `item`, differing from it in one step."""
    key = question.key
    if item is None:  # answering never lowers a score: every option, level or subset scores at least 0
        if question.kind == "scenario":
            return [{"question": key, "level": level} for level in range(5)]
        if question.kind == "single_choice":
            return [{"question": key, "choice": o.key} for o in question.options]
        return [{"question": key, "choices": [o.key]} for o in question.options]
    if question.kind == "scenario":
        return [{"question": key, "level": level} for level in range(item["level"] + 1, 5)]
    if question.kind == "single_choice":
        now = question.option(item["choice"])
        assert now is not None
        return [{"question": key, "choice": o.key} for o in question.options if o.points > now.points]
    chosen = set(item["choices"])
    if any(o.exclusive for o in question.options if o.key in chosen):
        chosen = set()  # replace the exclusive option by a positive one
    return [
        {"question": key, "choices": [*chosen, o.key]}
        for o in question.options
        if not o.exclusive and o.key not in chosen
    ]


@st.composite
def answer_items_and_one_improvement(draw: st.DrawFn, framework: Framework) -> tuple[list[Item], Item]:
    items = draw(answer_items(framework))
    by_question = {item["question"]: item for item in items}
    improvements = [
        better
        for question in framework.questions.values()
        for better in better_values(question, by_question.get(question.key))
    ]
    return items, draw(st.sampled_from(improvements))


def card_of(framework: Framework, items: list[Item]) -> ScoreCard:
    return score(framework, parse_answers(framework, items))


def check_bounds(card: ScoreCard) -> None:
    for key, question in card.questions.items():
        assert 0 <= question.score <= question.max, key
    for node in walk_nodes(card.dimensions):
        assert 0 <= node.score <= node.max, node.key
    assert 0 <= card.total <= card.max_total
    assert 0 <= card.completeness <= 1


def check_not_lower(before: ScoreCard, after: ScoreCard) -> None:
    for key, question in before.questions.items():
        assert after.questions[key].score >= question.score, key
    for old, new in zip(walk_nodes(before.dimensions), walk_nodes(after.dimensions), strict=True):
        assert new.key == old.key
        assert new.score >= old.score, old.key
    assert after.total >= before.total
    assert after.level >= before.level


# --- bounds ------------------------------------------------------------------------------------


@SETTINGS
@given(items=answer_items(miit()))
def test_every_miit_score_stays_between_zero_and_its_maximum(items: list[Item]) -> None:
    check_bounds(card_of(miit(), items))


@SETTINGS
@given(items=answer_items(eu_dma()))
def test_every_eu_dma_score_stays_between_zero_and_its_maximum(items: list[Item]) -> None:
    card = card_of(eu_dma(), items)
    check_bounds(card)
    assert card.total == carried(sum(d.score for d in card.dimensions) / 6)


@SETTINGS
@given(items=answer_items(miit()))
def test_every_miit_point_is_earned_or_missed(items: list[Item]) -> None:
    card = card_of(miit(), items)
    for key, question in card.questions.items():
        earned = sum((c.points for c in question.earned), Decimal(0))
        missed = sum((c.points for c in question.missed), Decimal(0))
        assert earned == question.score, key
        assert earned + missed == question.max, key
    assert sum((c.total_points for q in card.questions.values() for c in q.earned), Decimal(0)) == card.total


# --- monotonicity ------------------------------------------------------------------------------


@SETTINGS
@given(case=answer_items_and_one_improvement(miit()))
def test_improving_one_miit_answer_never_lowers_a_score_or_the_level(case: tuple[list[Item], Item]) -> None:
    items, better = case
    improved = [item for item in items if item["question"] != better["question"]] + [better]
    check_not_lower(card_of(miit(), items), card_of(miit(), improved))


@SETTINGS
@given(case=answer_items_and_one_improvement(eu_dma()))
def test_improving_one_eu_dma_answer_never_lowers_a_score_or_the_level(case: tuple[list[Item], Item]) -> None:
    items, better = case
    improved = [item for item in items if item["question"] != better["question"]] + [better]
    check_not_lower(card_of(eu_dma(), items), card_of(eu_dma(), improved))


# --- order -------------------------------------------------------------------------------------


@st.composite
def items_and_shuffled(draw: st.DrawFn, framework: Framework) -> tuple[list[Item], list[Item]]:
    items = draw(answer_items(framework))
    return items, draw(st.permutations(items))


def check_order_free(framework: Framework, items: list[Item], shuffled: list[Item]) -> None:
    answers = parse_answers(framework, items)
    again = parse_answers(framework, shuffled)
    assert again == answers
    first, second = score(framework, answers), score(framework, again)
    assert second == first
    assert second.questions == first.questions


@SETTINGS
@given(case=items_and_shuffled(miit()))
def test_the_order_of_miit_answer_items_changes_nothing(case: tuple[list[Item], list[Item]]) -> None:
    check_order_free(miit(), *case)


@SETTINGS
@given(case=items_and_shuffled(eu_dma()))
def test_the_order_of_eu_dma_answer_items_changes_nothing(case: tuple[list[Item], list[Item]]) -> None:
    check_order_free(eu_dma(), *case)


# --- the path to the next level ----------------------------------------------------------------


@SETTINGS
@given(items=answer_items(miit()), target=st.sampled_from([None, 1, 2, 3, 4]))
def test_the_miit_path_to_a_level_applied_reaches_it(items: list[Item], target: int | None) -> None:
    answers = parse_answers(miit(), items)
    card = score(miit(), answers)
    path = path_to_level(miit(), answers, target)
    if card.level == 4 or (target is not None and target <= card.level):
        assert path is None
        return
    assert path is not None
    assert path.target == (card.level + 1 if target is None else target)
    assert path.reachable is True  # every MIIT question can climb to full marks
    assert path.shortfall != ()
    assert not any(g.holds for g in path.shortfall)
    after = score(miit(), apply_changes(answers, [i.answer for i in path.improvements]))
    assert after.level >= path.target
    assert (after.level, after.total) == (path.level_after, path.total_after)
    order = [(i.cost, -i.points) for i in path.improvements]
    assert order == sorted(order)  # cheapest first
    for left_out in path.improvements:  # nothing unneeded
        others = [i.answer for i in path.improvements if i is not left_out]
        assert score(miit(), apply_changes(answers, others)).level < path.target, left_out.question


# --- results as data ----------------------------------------------------------------------------


def check_read_back(framework: Framework, items: list[Item]) -> None:
    answers = parse_answers(framework, items)
    data = card_as_data(score(framework, answers))
    assert card_as_data(card_from_data(data)) == data
    path = path_to_level(framework, answers)
    assert path_from_data(framework, path_as_data(framework, path)) == path


@SETTINGS
@given(items=answer_items(eu_dma()))
def test_an_eu_dma_card_and_path_read_back_from_their_data_are_the_same(items: list[Item]) -> None:
    check_read_back(eu_dma(), items)


@SETTINGS
@given(items=answer_items(miit()))
def test_a_miit_card_and_path_read_back_from_their_data_are_the_same(items: list[Item]) -> None:
    check_read_back(miit(), items)
