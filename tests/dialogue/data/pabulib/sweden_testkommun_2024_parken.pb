META
key;value
description;Parken, lekplatsen och läxhjälpen
country;Sweden
unit;Testkommun
instance;2024
num_projects;6
num_votes;20
budget;1000
vote_type;approval
rule;unknown
date_begin;01.03.2024
date_end;31.03.2024
language;sv
currency;SEK
comment;#1: Written for Insyn's tests. selected = pabutools 1.2.3's Method of Equal Shares, completed by raising every voter's share (add1) while the outcome fits the budget, then by utilitarian greedy
PROJECTS
project_id;cost;votes;name;selected
1;600;13;Skatepark;0
2;400;7;Ny lekplats;0
3;300;5;Parkbänkar;0
4;200;16;Läxhjälp i biblioteket;1
5;500;11;Konstgräsplan;1
6;100;4;Cykelställ;1
VOTES
voter_id;vote
1;1,4,5
2;1,4,5
3;1,4,5
4;1,4,5
5;1,4,5
6;1,4,5
7;1,4,5
8;1,4,5
9;2,4,5
10;2,4,5
11;2,4,5
12;2,6
13;2,6
14;2,6
15;2,6
16;1,3,4
17;1,3,4
18;1,3,4
19;1,3,4
20;1,3,4
