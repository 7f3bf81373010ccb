"""The default-cover rule on hand-written measures: no image library, every branch of the rule."""

from __future__ import annotations

import pytest

from vodcover.domain.default_cover import FrameScore, choose_default_cover

GOOD = FrameScore(120, 60, 40, 7.5, 0.95)
FAIR = FrameScore(120, 40, 15, 5.0, 0.70)
BLACK = FrameScore(5, 2, 1, 0.5, 0.0, ("black",))


def test_clearly_better_frame_wins_over_the_middle() -> None:
    assert choose_default_cover([FAIR, FAIR, FAIR, GOOD]) == 3


def test_a_junk_frame_is_never_chosen_over_a_poorer_good_one() -> None:
    # Given a junk frame in the middle that somehow scores higher than its good neighbours
    shiny_junk = FrameScore(240, 3, 40, 2.0, 0.99, ("white",))
    # Then a good frame is the cover
    assert choose_default_cover([FAIR, shiny_junk, FAIR]) in (0, 2)


def test_with_only_junk_there_is_still_a_cover() -> None:
    assert choose_default_cover([BLACK, BLACK, BLACK]) == 1


def test_a_frame_far_softer_than_the_sharpest_is_not_chosen_even_with_a_higher_total() -> None:
    soft = FrameScore(120, 60, 40 * 0.2, 7.5, 0.99)
    assert choose_default_cover([GOOD, soft, GOOD]) != 1


def test_near_ties_go_to_the_middle_clear_wins_do_not() -> None:
    almost = FrameScore(120, 60, 40, 7.5, 0.93)
    assert choose_default_cover([GOOD, almost, almost, almost, GOOD]) == 2
    assert choose_default_cover([GOOD, FAIR, FAIR, FAIR, FAIR]) == 0


def test_no_frames_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="no frames"):
        choose_default_cover([])
