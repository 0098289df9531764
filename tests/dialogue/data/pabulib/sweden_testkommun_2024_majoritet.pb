META
key;value
description;Majoriteten och minoriteten (handräknat exempel)
country;Sweden
unit;Testkommun
instance;2024
num_projects;5
num_votes;10
budget;330
vote_type;approval
rule;equalshares/add1
date_begin;01.03.2024
date_end;31.03.2024
language;sv
currency;SEK
comment;#1: Written for Insyn's tests (hand-checkable: see tests/dialogue/test_counting.py)
PROJECTS
project_id;cost;votes;name;selected
1;100;6;Parken: nya träd;1
2;110;6;Parken: belysning;1
3;120;6;Parken: scen;0
4;100;4;Biblioteket: läshörna;1
5;110;4;Biblioteket: öppet på söndagar;0
VOTES
voter_id;vote
1;1,2,3
2;1,2,3
3;1,2,3
4;1,2,3
5;1,2,3
6;1,2,3
7;4,5
8;4,5
9;4,5
10;4,5
