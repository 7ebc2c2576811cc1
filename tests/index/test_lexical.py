import bm25s
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from index.answering.lexical import Bm25


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"abcXYZ éüß’'-_.,!?09\n", "the ", "running ", "Musk’s ", "don't ",
                                 "co-operation ", "2,000 ", "poll ", "It ", "AND "]), max_size=40).map("".join))
def test_query_terms_match_bm25s_tokenize(text):
    expected = bm25s.tokenize([text], stopwords="en", stemmer=Stemmer.Stemmer("english"), return_ids=False,
                              show_progress=False)[0]
    assert Bm25([]).terms(text) == expected
