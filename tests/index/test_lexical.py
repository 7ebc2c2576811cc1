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


def test_question_words_are_not_search_terms():
    index = Bm25(["How many potholes are there in the borough?"])
    assert index.query_terms("How many potholes are there?") == ["pothol"]
    # Auxiliaries and pronouns say nothing about the topic; bm25s's short stop list keeps them.
    assert index.query_terms("How long has the war lasted?") == ["war", "last"]
    assert index.query_terms("What did Zelensky ask in his poll?") == ["zelenski", "ask", "poll"]
