META
key;value
description;Poäng till förslagen
country;Sweden
unit;Testkommun
instance;2024
num_projects;4
num_votes;12
budget;500
vote_type;cumulative
rule;unknown
date_begin;01.03.2024
date_end;31.03.2024
max_sum_points;10
language;sv
currency;SEK
comment;#1: Written for Insyn's tests. selected = pabutools 1.2.3's Method of Equal Shares, completed by raising every voter's share (add1) while the outcome fits the budget, then by utilitarian greedy
PROJECTS
project_id;cost;votes;name;selected
1;200;7;Belysning i gångtunneln;1
2;300;7;Utegym;0
3;250;5;Hundrastgård;0
4;150;5;Blomsterängar;1
VOTES
voter_id;vote;points
1;2,1;8,2
2;2,1;8,2
3;2,1;8,2
4;2,1;8,2
5;2,1;8,2
6;2,1;8,2
7;2,1;8,2
8;3,4;6,4
9;3,4;6,4
10;3,4;6,4
11;3,4;6,4
12;3,4;6,4
