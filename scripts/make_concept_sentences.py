"""Write the labelled sentence corpus for the concept classifier (issue 13).

    .venv/bin/python scripts/make_concept_sentences.py

Reads the fully hand-written sentences in data/concept_sentences/handwritten/<concept>.yml and
adds sentences combined from hand-written fragments below (clauses, lead-ins, tails, names,
places, offences), then writes data/concept_sentences/<concept>.yml (`present:` and `absent:`)
and data/concept_sentences/other.yml (`absent:` for every concept). The committed YAML is the
data the model is trained on; this script is how most of it was made and can remake it exactly
(fixed seed). Each fragment is used only a few times, so no one template dominates; the lead-ins
and tails are shared between `present` and `absent`, so the model has to learn the clause, not
the frame around it. Nothing here is taken from bench/holdout*, tests/corpus or sample_letters.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "concept_sentences"
HAND = DATA / "handwritten"
SEED = 13
CONCEPTS = ["specific_reason", "decision_statement", "review_right", "meeting_offer", "acknowledgement"]
# How many combined sentences to add per concept and side (hand-written ones come on top).
GENERATED = {"present": 300, "absent": 300}
GENERATED_OTHER = 200

# --- shared fillers --------------------------------------------------------------------------
TITLES = ["Mr", "Mr", "Mrs", "Ms", "Ms", "Miss", "Mx", "Dr"]
SURNAMES = """Abbott Ahmed Akhtar Ali Allen Anwar Appiah Armstrong Bailey Baker Banks Barker Barnes
Bevan Bhatti Bishop Blake Bowen Boyle Bradley Brennan Briggs Burns Byrne Carr Chambers Chowdhury
Clarke Coleman Collins Connolly Cooper Cox Dale Davies Dawson Dixon Doherty Doyle Duffy Dunn Edwards
Ellis Evans Farrell Fernandes Fisher Fleming Flynn Ford Foster Francis Gallagher Gill Gordon Grant
Gray Griffiths Hale Hall Hamilton Harris Hart Hayes Henry Hill Holmes Hopkins Howells Hughes Hussain
Iqbal Jackson James Jenkins John Johnson Jones Kaur Kelly Kennedy Khan Kowalski Lamb Lewis Lloyd
Lowe Lynch Malik Marsh Martin Mason McCarthy McDonald Meredith Mills Mitchell Moore Morgan Morris
Murphy Murray Nash Nowak Obi O'Brien Okafor O'Neill Osei Owen Parry Patel Pearce Phillips Powell
Price Pritchard Pugh Quinn Rahman Rees Reid Reynolds Richards Roberts Rowlands Ryan Shah Sharma
Simpson Singh Stewart Sullivan Taylor Thomas Turner Vaughan Walsh Ward Watkins Webb Wilkinson
Williams Wilson Wood Wright Wyn Yates Young Zielinski""".split()
FIRST = """Aaron Aisha Alex Amir Andrew Anna Bethan Callum Carys Chloe Craig Dafydd Daniel Darren
Dylan Emma Ffion Gareth Grace Hannah Harry Imran Jack Jade Jamal Jordan Kacper Karen Kieran Leah
Liam Lisa Marcus Megan Nathan Nia Owen Priya Rhys Ryan Sara Scott Sian Stacey Tom Wayne Zara""".split()
TOWNS = """Aberdare Barnsley Barry Bolton Bradford Bridgend Bristol Caerphilly Cardiff Carlisle
Chester Coventry Crewe Croydon Derby Exeter Gloucester Hereford Hull Ipswich Leeds Leicester
Llanelli Luton Merthyr Middlesbrough Neath Newport Norwich Nottingham Oldham Plymouth Pontypridd
Preston Reading Rhyl Rochdale Salford Sheffield Stockport Sunderland Swansea Swindon Telford
Wakefield Walsall Worcester Wrexham York""".split()
MONTHS = "January February March April May June July August September October November December".split()
VENUES = ["pub", "nightclub", "corner shop", "supermarket", "petrol station", "bus station",
          "takeaway", "car park", "leisure centre", "hotel", "block of flats", "school gates",
          "railway station", "park", "church hall", "taxi rank", "betting shop", "gym"]
OFFENCES = ["assault", "burglary", "theft", "criminal damage", "harassment", "stalking", "robbery",
            "fraud", "sexual assault", "wounding", "affray", "arson", "dangerous driving",
            "malicious communications", "coercive and controlling behaviour", "racially aggravated assault",
            "assault by beating", "actual bodily harm", "possession of a knife", "threats to kill"]
LESSER = {"wounding with intent": "unlawful wounding", "robbery": "theft", "burglary": "theft",
          "actual bodily harm": "common assault", "dangerous driving": "careless driving",
          "stalking": "harassment", "rape": "sexual assault", "attempted murder": "wounding with intent",
          "murder": "manslaughter", "affray": "a public order offence", "grievous bodily harm": "actual bodily harm",
          "racially aggravated assault": "common assault", "threats to kill": "a public order offence",
          "causing death by dangerous driving": "causing death by careless driving"}
COURTS = ["Crown Court", "Magistrates' Court", "Youth Court"]
EVIDENCE = ["the CCTV footage", "your statement", "the statements from the other witnesses",
            "the medical notes", "the recording of the 999 call", "the photographs of your injuries",
            "the body-worn camera footage", "the phone records", "the forensic report",
            "the interview with {name}", "the messages you gave the police", "the doorbell video",
            "the bank statements", "the report from the hospital", "the dashcam footage",
            "the officers' notebooks", "the fingerprint results", "the social media posts",
            "the expert's report", "the 101 call log", "the photographs of the damage",
            "your Victim Personal Statement", "the pathologist's report", "the x-rays",
            "the text messages", "the receipts", "the plans of the house", "the school's records"]


def rng_fill(rng: random.Random, text: str) -> str:
    """Fill {name}, {first}, {town}, {date}, {venue}, {offence}, {n} and friends."""
    def name() -> str:
        r = rng.random()
        if r < 0.55:
            return f"{rng.choice(TITLES)} {rng.choice(SURNAMES)}"
        if r < 0.8:
            return f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}"
        return rng.choice(FIRST)

    first_name = name()
    subs = {
        "name": lambda: first_name,
        "name2": name,
        "first": lambda: rng.choice(FIRST),
        "town": lambda: rng.choice(TOWNS),
        "date": lambda: f"{rng.randint(1, 28)} {rng.choice(MONTHS)}" + (f" {rng.choice(['2023', '2024', '2025'])}" if rng.random() < 0.4 else ""),
        "month": lambda: rng.choice(MONTHS),
        "venue": lambda: rng.choice(VENUES),
        "offence": lambda: rng.choice(OFFENCES),
        "court": lambda: f"{rng.choice(TOWNS)} {rng.choice(COURTS)}",
        "n": lambda: str(rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 45])),
        "mph": lambda: str(rng.choice([24, 27, 29, 31, 33, 36, 38, 42, 47, 52, 58])),
        "time": lambda: rng.choice(["9.15 pm", "10.40 pm", "11 pm", "1.30 am", "2 am", "7.45 am", "half past six",
                                    "about midnight", "just after 4 pm", "around 8 in the evening"]),
        "evidence": lambda: rng_fill(rng, rng.choice(EVIDENCE)),
    }

    def one(m: re.Match) -> str:
        key = m.group(1)
        return subs[key]() if key in subs else m.group(0)

    return re.sub(r"\{(\w+)\}", one, text)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def tidy(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s+([,.;:?])", r"\1", s)
    s = s.replace("..", ".").replace(",.", ".")
    s = re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", s)
    return cap(s)


def draw(n: int, pick, build, cap: int) -> list[str]:
    """n different sentences: `pick()` gives (template, what build needs), each template used at
    most `cap` times; `build(what)` makes the sentence. Gives up after 40 tries a sentence."""
    out: list[str] = []
    uses: dict[str, int] = {}
    tries = 0
    while len(out) < n and tries < n * 40:
        tries += 1
        key, what = pick()
        if uses.get(key, 0) >= cap:
            continue
        s = build(what)
        if s not in out:
            uses[key] = uses.get(key, 0) + 1
            out.append(s)
    return out


def combine(rng: random.Random, n: int, leads: list[str], clauses: list[str], tails: list[str],
            max_per_clause: int = 3) -> list[str]:
    """n sentences lead + clause + tail, each clause used at most max_per_clause times."""
    def pick():
        clause = rng.choice(clauses)
        return clause, clause

    def build(clause: str) -> str:
        lead, tail = rng.choice(leads), rng.choice(tails)
        return tidy(rng_fill(rng, lead + clause + tail))

    return draw(n, pick, build, max_per_clause)


# --- specific_reason -------------------------------------------------------------------------
# Facts of a case: what evidence showed or did not show, who could not be found, what was lost.
SR_FACTS = [
    "the camera outside the {venue} was pointing at the road, not the doorway where you were hit",
    "the footage from the {venue} only shows the top of the man's head",
    "the CCTV from the {venue} had been recorded over before the police asked for it",
    "the only other person who saw what happened, the {venue} manager, has moved away and cannot be traced",
    "{name} says you gave him permission to use the card, and there is nothing in writing to say otherwise",
    "the doctor who treated you says the injury could have been caused by falling against the table",
    "the fingerprints on the window belong to a builder who worked at the house the week before",
    "the DNA found on the glass could have come from anyone who was in the {venue} that night",
    "{name}'s phone shows he was in {town} at {time}, when the car was damaged",
    "the woman who called 999 now says she did not see who started the fight",
    "the knife found in the garden had no fingerprints or blood on it",
    "the bus company kept its recordings for only {n} days, and they were gone by the time the police asked",
    "the medical report says the bruises were at least {n} days old when they were photographed",
    "the speed expert says {name} was driving at about {mph} mph, which is within the limit on that stretch",
    "the van that hit you was seen by nobody, and its number plate was never recorded",
    "the witness who said she saw {name} with the bag has since said she was not wearing her glasses",
    "the messages came from an account that {n} different people had the password to",
    "your ring doorbell recorded voices but no picture of the men at the door",
    "{name} has a letter from his employer saying he was on a night shift in {town} at the time",
    "the two people who were with you that night tell different stories about who threw the bottle",
    "the pathologist found that {name} died from a heart attack, and could not link it to the push",
    "{name} has died since the case started",
    "{name} is now in hospital with a serious illness and his doctors say he cannot take part in a trial",
    "the fire service report says the fire began in the wiring, not where the petrol was found",
    "the phone with the threatening messages on it was reset to factory settings before the police collected it",
    "the laboratory could not get a DNA result from the swab because the sample was too small",
    "the jacket the robber wore was never found, and the one in {name}'s flat is a different colour",
    "the man you picked out at the identity parade was a volunteer, not {name}",
    "the footage shows you and {name} pushing each other, but not who pushed first",
    "{name} was {n} miles away at work, and his manager and the clocking-in system both confirm it",
    "the boy was only {n} years old at the time and could not explain to the officer what happened",
    "your landlord's records show the rent was paid into your own account, not {name}'s",
    "the account the money went to belongs to a company that was closed {n} years ago",
    "the photographs of the damage were taken {n} weeks after the incident, when others had been in the garden",
    "{name} admitted hitting you but says he thought you were about to attack him with the bottle you were holding",
    "the taxi driver, who was the only independent witness, has told the police he no longer wants to be involved",
    "the radio call logs show the officers reached the {venue} twenty minutes after the fight had ended",
    "a second doctor has said the fracture is more likely to have come from an old injury",
    "the loss of the recording means there is nothing to show what {name} said to you on the phone",
    "the bank's fraud team found the payments were authorised from your own phone",
    "the jewellery the police found at {name}'s house was bought from a shop in {town}, and he has the receipt",
    "the lighting on the street was off that night, and the man's face cannot be seen on any of the film",
    "{name}'s sister says she was with him at home in {town} all evening",
    "the school has no record of the incident, and none of the staff on duty saw it",
    "the neighbour who heard the shouting could not see into the flat and does not know who was there",
    "your daughter's account in her video interview is different in important ways from what she told her teacher",
    "the search of {name}'s car found nothing linking him to the burglary",
    "the police officer who arrested {name} did not switch on her body camera",
    "the expert could not say whether the marks on your neck were caused by hands or by the strap of your bag",
    "the scaffold collapsed because a bolt sheared, and the inspection the week before had passed it as safe",
    "the dog had never been reported as dangerous and was kept behind a locked gate that someone else left open",
    "the tracker on {name}'s tag shows he did not leave his home address that night",
    "the stolen car was found burnt out, so no forensic evidence could be taken from it",
    "the only fingerprint on the cash box belonged to you",
    "{name} was seventeen, has no previous record and has since paid for the repairs",
    "the cameras on the {venue} were dummies and did not record anything",
    "the man who sold you the tickets used a false name and a pay-as-you-go phone that has never been traced",
    "the ambulance notes say you told the crew you had tripped on the stairs",
    "{name} was not wearing the red hoodie that both witnesses describe; he was in a black coat on the film",
    "the toxicology report found no trace of any drug in your blood sample",
    "the timestamp on the video shows the car was already damaged before {name} arrived",
    "the interview was carried out without a solicitor after {name} asked for one, so it cannot be used",
    "the hospital lost the clothing that was taken from you when you were admitted",
    "the doctor says the scar on your hand will heal fully and the wound was not deep",
    "the statement from your former partner's new girlfriend gives {name} an alibi for that weekend",
    "the electronic tag data shows {name} was at home when the window was smashed",
    "the collision investigator found that the cyclist had no lights and was on the wrong side of the road",
    "the phone company no longer has the records of who called you that night",
    "there is no record of the threatening voicemail, because it was deleted automatically after {n} days",
    "the other driver's insurance company paid for your repairs and the driver has been banned under a separate case",
    "none of the five people at the {venue} who spoke to the police saw the punch",
    "the footage from the {venue} shows {name} leaving at {time}, before you arrived",
    "the email that contained the threat was sent from an internet café in {town} with no cameras",
    "the receipt for the laptop shows it was bought by {name} himself, so he cannot have stolen it",
    "your brother is the only witness, and he has said in writing that he will not give evidence against his friend",
    "the psychiatrist's report says {name} was suffering from a serious mental illness and did not know what he was doing",
    "the garage's records show the brakes had been checked and passed {n} days before the crash",
    "the security guard who stopped the man cannot say whether it was {name}, as he only saw him from behind",
    "the messages you received were sent to a group of {n} people, not just to you",
    "{name}'s solicitor has given us medical records showing he was in plaster and could not have climbed the wall",
    "the window was already broken, as photographs taken by the letting agent a month earlier show",
    "the cut on your arm was not photographed and healed before the doctor saw it",
    "the victim's account, which the case relied on, was given by your late mother and cannot now be tested in court",
]
SR_LEADS = ["", "", "", "Sadly, ", "Unfortunately, ", "The main problem is that ", "The reason is that ",
            "We stopped the case because ", "We have decided not to charge {name} because ",
            "We offered no evidence because ", "This is because ", "In this case, ", "I'm afraid that ",
            "What changed is that ", "The difficulty we have is that ", "Put simply, ", "We made this decision because ",
            "The charge was reduced because ", "We could not go on because ", "The key point is that ",
            "Since we charged {name}, we have learned that ", "When the police checked, they found that ",
            "I should explain that ", "After the police made more enquiries, it turned out that "]
SR_TAILS = [".", ".", ".", ", so we cannot prove it was {name}.", ", and without that we cannot show a court what happened.",
            ", which leaves no way of proving the charge.", ", so a court would not convict.",
            "; that is why the case cannot go on.", ", and this is why we have stopped the case.",
            ", which means the case against {name} cannot continue.", ", so we have no way of showing who did it."]
SR_SHOWED = [
    ("the footage from the {venue}", "does not show the man's face"),
    ("the doorbell film", "only shows someone in a hood, and we cannot tell who it is"),
    ("the phone download", "did not find the messages you described"),
    ("the medical report", "says the injury could have been caused by the fall"),
    ("the forensic report", "found no blood on {name}'s clothes"),
    ("the bank statements", "show the payments were made from your own account on your own phone"),
    ("the dashcam footage", "shows the other car pulling out in front of {name}"),
    ("the 999 call", "records you saying you did not see who hit you"),
    ("the body-worn camera footage", "shows you telling the officer you wanted to drop it"),
    ("the x-rays", "showed no broken bones"),
    ("the photographs of your injuries", "were taken {n} days later and show only faint marks"),
    ("the CCTV", "shows the bag being picked up by a woman, not by {name}"),
    ("the phone records", "show {name} was in {town} all that evening"),
    ("the messages you gave the police", "were sent from a number that belongs to someone else"),
    ("the fingerprint results", "did not match {name}"),
    ("the pathologist's report", "says the death was caused by a fall, not a blow"),
    ("the school's records", "show your son was off sick on the day the assault is said to have happened"),
    ("the expert's report", "says the crack in the ceiling was caused by damp, not by anyone hitting it"),
]
SR_SHOWED_FRAMES = ["We looked at {e}, and {p} {f}", "{E} {f}", "We looked closely at {e}, but {p} {f}",
                    "The problem is that {e} {f}", "When the police checked {e}, {p} {f}", "Sadly, {e} {f}"]
SR_PLURAL = ("records", "statements", "x-rays", "photographs", "messages", "results")
SR_GENERIC = [
    "there is not enough evidence for a realistic prospect of conviction",
    "there is insufficient evidence to provide a realistic prospect of conviction",
    "it would not be in the public interest to prosecute",
    "a prosecution is not needed in the public interest",
    "the evidence is too weak for a court case",
    "there are difficulties with the evidence",
    "the case does not pass the evidential stage of the Full Code Test",
    "the evidence no longer meets the test we must apply",
    "the evidence falls short of what we need",
    "we do not think a court would convict",
    "there is no longer a realistic prospect of conviction",
    "the case does not meet the threshold for prosecution",
    "there are evidential problems in the case",
    "the evidence has changed since {name} was charged",
    "new information has come to light",
    "the evidence was not reliable enough",
    "the witness evidence is not strong enough",
    "the medical evidence does not support the charge",
    "the evidence would not satisfy a jury so that they were sure",
    "the case could not be proved beyond reasonable doubt",
    "the factors against prosecuting are stronger than those in favour",
    "it is not proportionate to continue",
    "the prosecution could not prove the case",
    "there were gaps in the evidence",
    "there were inconsistencies in the evidence",
    "the available evidence does not support a prosecution",
    "we cannot be sure a jury would find {name} guilty",
    "the strength of the evidence has changed",
    "the evidence was looked at again and found to be too weak",
    "of the nature of the evidence in this case",
    "of evidential issues",
    "the case was reviewed and no longer passes the test",
]
SR_GENERIC_LEADS = ["", "", "After careful consideration, ", "Having considered all the evidence, ",
                    "Unfortunately, ", "I am sorry to say that ", "We have decided to stop the case because ",
                    "We will not charge {name} because ", "Sadly, ", "The reason for our decision is that ",
                    "Put simply, ", "This is because ", "The main problem is that ", "We made this decision because ",
                    "We offered no evidence because ", "Having looked at the file again, ", "In short, ",
                    "I'm afraid that ", "The prosecutor decided that ", "We concluded that "]
SR_GENERIC_TAILS = [".", ".", ".", ", and so the case cannot continue.", ", so we have had to stop the case.",
                    " against {name}.", ", which is why the case has ended.", ", and I am sorry."]
SR_LIST_VERBS = ["We looked at", "The prosecutor considered", "We carefully reviewed", "I have read",
                 "We went through", "Before deciding, we examined", "The lawyer studied", "We took into account",
                 "We have looked again at", "The prosecutor read and watched", "We considered", "We had",
                 "The file included", "We were sent", "Our lawyer looked closely at", "I have watched and read"]
SR_LIST_TAILS = [".", " before making our decision.", ", and we do not think a court would convict.",
                 ", and decided the case could not go on.", " and spoke to the officer in the case.",
                 ", and all of it was taken into account.", ", along with everything else in the file.",
                 ", but the evidence is not strong enough.", " as part of our review."]
SR_ALLEGATION = [
    "{name} was charged with {offence} after the incident at the {venue} on {date}",
    "we offered no evidence against {name} at {court} on {date}",
    "the case against {name} was due to be heard at {court} on {date}",
    "{name} was arrested on {date} and interviewed the next day",
    "{name} is said to have assaulted you outside the {venue} in {month}",
    "the police sent us the file about {name} in {month}",
    "{name} was found not guilty at {court} on {date}",
    "the charge of {offence} against {name} will lie on file",
    "we received the police file about the {offence} on {date}",
    "you reported the {offence} to the police in {month}",
    "the trial of {name} for {offence} had been set for {date} at {court}",
    "{name} pleaded not guilty to {offence} at {court}",
    "the incident happened at the {venue} in {town} late one evening in {month}",
    "this letter is about the case against {name} for {offence}",
]
SR_REASSURE = [
    "this is not a sign that we disbelieve you",
    "this decision is not a reflection on you or on what you told the police",
    "the decision was not made because of anything you did",
    "nobody doubts that you were honest with the police",
    "this does not mean that nothing happened to you",
    "we know you gave your account truthfully",
    "the outcome does not mean you were not a victim of crime",
    "this is about the evidence, not about whether we believe you",
]


# Boilerplate dressed with a real fact is still a reason: the formula comes first, the fact after.
SR_DRESSED_LEADS = ["There is not enough evidence to prove the charge, because ",
                    "A prosecution is not needed in the public interest, as ",
                    "It would not be in the public interest to prosecute, because ",
                    "We do not think a court would convict, since ",
                    "The evidence is not strong enough: ",
                    "There is no longer a realistic prospect of conviction, because ",
                    "The case does not pass the evidential test, as ",
                    "Having considered all the evidence, we stopped the case because ",
                    "There were difficulties with the evidence: ",
                    "This does not mean we do not believe you; the problem is that "]


def specific_reason(rng: random.Random) -> tuple[list[str], list[str]]:
    n_p, n_a = GENERATED["present"], GENERATED["absent"]
    present = combine(rng, int(n_p * 0.62), SR_LEADS, SR_FACTS, SR_TAILS, max_per_clause=3)
    present += combine(rng, int(n_p * 0.18), SR_DRESSED_LEADS, SR_FACTS, ["."], max_per_clause=1)
    while len(present) < n_p:
        e, f = rng.choice(SR_SHOWED)
        frame = rng.choice(SR_SHOWED_FRAMES)
        pron = "they" if e.endswith(SR_PLURAL) else "it"
        s = tidy(rng_fill(rng, frame.replace("{E}", cap(e)).replace("{e}", e).replace("{p}", pron).replace("{f}", f) + "."))
        if s not in present:
            present.append(s)
    absent = combine(rng, int(n_a * 0.35), SR_GENERIC_LEADS, SR_GENERIC, SR_GENERIC_TAILS, max_per_clause=4)
    while len(absent) < int(n_a * 0.65):  # the evidence listed, without what it showed
        items = rng.sample(EVIDENCE, rng.choice([1, 2, 2, 3, 3, 4]))
        lst = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        s = tidy(rng_fill(rng, f"{rng.choice(SR_LIST_VERBS)} {lst}{rng.choice(SR_LIST_TAILS)}"))
        if s not in absent:
            absent.append(s)
    absent += combine(rng, int(n_a * 0.2), ["", "", "As you know, ", "I can confirm that ", "To recap, "],
                      SR_ALLEGATION, [".", "."], max_per_clause=6)
    absent += combine(rng, n_a - len(absent), ["", "Please be assured that ", "I want you to know that ",
                                                "I should say that ", "Importantly, "],
                      SR_REASSURE, [".", ".", ", and I am sorry.", ", whatever the outcome."], max_per_clause=6)
    return present, absent


# --- decision_statement ----------------------------------------------------------------------
DS_STATED = [
    "we have decided to stop the case against {name}",
    "we have discontinued the case against {name}",
    "we will not be charging {name} with {offence}",
    "we offered no evidence against {name} at {court} on {date}",
    "the charge of {big} against {name} has been changed to {small}",
    "{name} will now face a charge of {small} instead of {big}",
    "we have replaced the charge of {big} with {small}",
    "the charge of {offence} against {name} will lie on file",
    "the remaining charges against {name} have been left on the court file",
    "{name} will not be prosecuted for the {offence}",
    "we have decided to take no further action against {name}",
    "we have ended the prosecution of {name}",
    "{name}'s case has been dropped",
    "no charges will be brought against {name}",
    "we have decided not to prosecute {name}",
    "the prosecution of {name} for {offence} will not continue",
    "we told the court on {date} that we would not be going ahead with the case against {name}",
    "{name} is no longer charged with {offence}",
    "we will not be taking the case against {name} to court",
    "the CPS has decided that nobody will be charged over the {offence}",
    "we have withdrawn the charge of {offence}",
    "{name} has been found not guilty because we offered no evidence",
    "the case against {name} was stopped on {date}",
    "we have accepted {name}'s guilty plea to {small} and dropped the charge of {big}",
    "the court agreed that the charges of {offence} could stay on file",
    "we decided not to authorise a charge against {name}",
    "{name} will not be going to trial, because we have stopped the case",
    "we have decided that {name} should not be charged",
]
DS_LEADS = ["", "", "", "I am writing to tell you that ", "I'm sorry to tell you that ", "After careful thought, ",
            "Following a review of the evidence, ", "I have to let you know that ", "I am sorry to say that ",
            "As the officer may have told you, ", "This letter is to confirm that ", "Unfortunately, ",
            "I wanted to let you know straight away that ", "Having considered everything, ", "In short, ",
            "I can now tell you that ", "Sadly, "]
DS_TAILS = [".", ".", ".", ", which means the case has ended.", ", so there will be no trial.",
            " and the court has been told.", ", and I want to explain why.", ". I know this will be hard to hear.",
            " and I will explain the reasons below.", " and {name} has been told."]
DS_NOT = [
    "we are still considering whether to stop the case against {name}",
    "we will decide by {date} whether {name} should be charged",
    "if we decide to stop the case, we will let you know within a day",
    "the prosecutor may offer no evidence if the witness does not come to court",
    "{name} has been charged with {offence} and will appear at {court} on {date}",
    "we have decided to charge {name} with {offence}",
    "the trial of {name} will go ahead at {court} on {date}",
    "{name} pleaded guilty to {offence} at {court}",
    "the case against {name} was adjourned until {date}",
    "we have not yet decided whether to change the charge",
    "we are waiting for more evidence from the police before deciding whether to charge {name}",
    "the defence has asked us to drop the charge of {offence}, and we are considering this",
    "the case against {name} will continue",
    "we have decided to go ahead with the prosecution of {name}",
    "we may need to change the charge if the medical evidence changes",
    "a decision about the charge will be made after the hearing on {date}",
    "{name} was found guilty of {offence} at {court}",
    "the court sent {name}'s case to {court}",
    "we have asked the police to make more enquiries before we decide",
    "you will hear from us as soon as a decision has been made about {name}",
    "{name} was released on bail until {date} while the police investigate",
    "the charge against {name} remains {offence}",
    "we have decided to add a charge of {offence}",
    "the prosecutor is looking at whether the case against {name} can continue",
    "it may be necessary to stop the case if the expert report does not support it",
    "our decision about {name} is explained in this letter",
    "we have made a decision in the case against {name}",
    "this letter is about our decision in the case of {name}",
    "the police have passed the file on {name} to us for a charging decision",
    "the case against {name} is listed for a hearing on {date}",
]
DS_NOT_TAILS = [".", ".", ".", ", and we will keep you informed.", ". I know this will be hard to hear.",
                ", and I will explain more below."]
DS_NOT_LEADS = ["", "", "", "I am writing to let you know that ", "I can tell you that ", "Just to update you, ",
                "As you know, ", "For your information, ", "I'm sorry to tell you that ", "Unfortunately, "]


def _charges(rng: random.Random, s: str) -> str:
    big, small = rng.choice(list(LESSER.items()))
    return s.replace("{big}", big).replace("{small}", small)


def decision_statement(rng: random.Random) -> tuple[list[str], list[str]]:
    present = [_charges(rng, s) for s in combine(rng, GENERATED["present"], DS_LEADS, DS_STATED, DS_TAILS, max_per_clause=14)]
    absent = combine(rng, GENERATED["absent"], DS_NOT_LEADS, DS_NOT, DS_NOT_TAILS, max_per_clause=12)
    return present, absent


# --- review_right ----------------------------------------------------------------------------
RR_CONDS = ["", "", "If you disagree with our decision, ", "If you are unhappy with this decision, ",
            "Should you wish, ", "If you think we got it wrong, ", "If you would like, ", "If you do not agree, ",
            "If you are not satisfied, ", "As a victim, ", "If you feel the decision is wrong, ",
            "Although the case has ended, ", "I should also tell you that ", "Please note that ", "It is important you know that "]
RR_CAN = ["you can ", "you can ", "you may ", "you have the right to ", "you are entitled to ", "you are able to ",
          "you are welcome to "]
RR_ASK = [
    "ask us to look at the decision again",
    "ask for a review of the decision to {dnoun}",
    "request a review under the Victims' Right to Review scheme",
    "ask for the decision to be reconsidered by a different prosecutor",
    "ask a prosecutor who has not worked on the case to look at it again",
    "ask for the case to be looked at afresh",
    "ask for our decision to {dnoun} to be reviewed",
    "ask a senior lawyer to review the decision",
    "ask us to reconsider",
    "ask for this decision to be checked by another lawyer",
    "have this decision reviewed",
    "ask for a fresh look at the decision",
    "request that the decision is looked at again",
    "ask for a second prosecutor to look at the evidence and the decision",
    "ask the CPS to review the decision",
    "challenge the decision by asking for a review",
]
RR_EXTRA = [".", ".", " by contacting us.", " within the time limits below.", ", and you do not need a lawyer to do this.",
            " under the Victims' Right to Review scheme.", " by phone, by email or in writing.", ", and I explain how below.",
            " if you want to.", ", and you do not have to give a reason."]
DNOUNS = ["stop the case", "not charge {name}", "offer no evidence", "leave the charges on file",
          "discontinue the prosecution", "not prosecute"]
RR_NOT = [
    "the prosecutor reviewed the file again in {month} and reached the same decision",
    "after a careful review of the evidence, we decided to stop the case",
    "the Victims' Right to Review scheme does not apply to a decision to change the charge",
    "because the charge was changed rather than dropped, this decision cannot be reviewed under the scheme",
    "the case was looked at again by a senior prosecutor before this letter was written",
    "we reviewed {evidence} before making our decision",
    "the court will review the bail conditions on {date}",
    "the police reviewed the CCTV from the {venue}",
    "{name}'s solicitors have asked the Court of Appeal to look at the conviction",
    "the defence has asked us to review the charge",
    "having looked at the case again, we have decided to {dstop}",
    "you can ask the police for an update at any time",
    "you can ask Victim Support for help",
    "you can ask us for a copy of this letter in large print",
    "you can ask for special measures if you give evidence",
    "you can ask me any questions about this letter",
    "you can make a complaint if you are unhappy with the service you received",
    "the police may look at the case again if new evidence turns up",
    "the case has been reviewed and the decision stands",
    "the review you asked for has been completed and the original decision was right",
    "a different prosecutor has now reviewed the case at your request",
    "we keep all our decisions under review",
    "our lawyers review the evidence as the case goes on",
    "once the expert report arrives, the prosecutor will review the charge",
    "upon review, the evidence was weaker than we first thought",
    "the evidence was reviewed by a specialist lawyer in {month}",
    "the judge will look at the case again at the next hearing on {date}",
    "the parole board will review {name}'s case",
    "decisions to accept a guilty plea to a lesser charge are not covered by the right to review",
    "there is no right to review this kind of decision",
    "after reviewing {evidence}, the prosecutor decided to {dstop}",
    "{name} was reviewed by the mental health team while in custody",
    "the police are reviewing the {offence} investigation",
    "we looked again at {evidence} when the defence raised it",
    "the lawyer who reviewed the case on {date} has many years of experience",
    "the judge reviewed {evidence} before the hearing",
    "a senior lawyer in {town} checked the decision before it was made",
]
RR_NOT_LEADS = ["", "", "", "Please note that ", "I should explain that ", "As you know, ", "I can confirm that ",
                "If you disagree with our decision, ", "If you are unhappy, ", "For your information, "]
RR_NOT_TAILS = [".", ".", ".", ".", ", as I explained on the phone."]
DSTOPS = ["stop it", "offer no evidence", "not charge anyone", "leave the charges on file", "change the charge"]


def review_right(rng: random.Random) -> tuple[list[str], list[str]]:
    def pick():
        ask = rng.choice(RR_ASK)
        return ask, ask

    def build(ask: str) -> str:
        s = rng.choice(RR_CONDS) + rng.choice(RR_CAN) + ask.replace("{dnoun}", rng.choice(DNOUNS)) + rng.choice(RR_EXTRA)
        return tidy(rng_fill(rng, s))

    present = draw(GENERATED["present"], pick, build, 25)
    absent = [tidy(rng_fill(rng, s.replace("{dstop}", rng.choice(DSTOPS))))
              for s in combine(rng, GENERATED["absent"], RR_NOT_LEADS, RR_NOT, RR_NOT_TAILS, max_per_clause=12)]
    # "If you disagree ..." with a past review or a complaint is nonsense English: keep those leads
    # only where they fit (before 'you can ...').
    absent = [s for s in absent if not (s.startswith(("If you disagree", "If you are unhappy"))
                                        and ", you can" not in s)]
    return present, list(dict.fromkeys(absent))


# --- meeting_offer ---------------------------------------------------------------------------
MO_WHERE = ["at our {town} office", "at your home", "by video call", "in person", "somewhere you feel comfortable",
            "at the police station nearest to you", "", "", "on Teams", "at a time and place that suits you",
            "face to face", "at a community centre near you", "online by video"]
MO_PURPOSE = ["to explain the decision", "to talk through the reasons", "to answer your questions",
              "to go through what happened", "to discuss the case", "to explain why we changed the charge",
              "to explain what the decision means", "", "to talk about what happens now"]
MO_OFFERS = [
    "we can meet you {where} {purpose}",
    "I would like to offer you a meeting {where} {purpose}",
    "the prosecutor would be happy to meet you {where} {purpose}",
    "you are welcome to meet {person} {where} {purpose}",
    "we could arrange a video call with {person} {purpose}",
    "I can arrange for {person} to meet you {where} {purpose}",
    "we would like to invite you to a meeting {where} {purpose}",
    "{person} has offered to meet you {where} {purpose}",
    "I would be glad to meet you and your family {where} {purpose}",
    "we can set up a meeting {where} {purpose}",
    "a meeting with {person} can be arranged {where} {purpose}",
    "I can come and see you {purpose}",
    "we can sit down with you {where} {purpose}",
]
MO_PEOPLE = ["the prosecutor", "me", "the lawyer who made the decision", "the senior prosecutor", "our District Crown Prosecutor",
             "the prosecutor and the officer in the case", "me and the family liaison officer"]
MO_LEADS = ["", "", "", "If it would help, ", "If you would like, ", "If you wish, ", "I want you to know that ",
            "Should you want to, ", "If you feel ready, ", "When you are ready, "]
MO_TAILS = [".", ".", ". Please let me know.", ", if you would find that helpful.", ". Just let me know what suits you.",
            " whenever suits you.", ", and you can bring someone with you.", ", and we will pay your travel costs."]
MO_NOT_OFFERS = [
    "we can talk on the phone {purpose}",
    "I would be happy to ring you {purpose}",
    "the officer in the case will phone you {purpose}",
    "{person} can call you {purpose}",
    "we could arrange a telephone call with {person} {purpose}",
    "please call me on the number above if you would like {purpose2}",
    "you can phone me {purpose}",
    "we can email you a copy of the decision {purpose}",
    "I can write to you again {purpose}",
    "we can arrange a phone call with {person} {purpose}",
    "{person} would be happy to speak to you by telephone {purpose}",
]
MO_NOT = [
    "{person} met the police last week to discuss the case",
    "we met your family at court in {month}",
    "a volunteer from Victim Support could call at your house",
    "your ISVA can meet you to talk about how you are feeling",
    "someone from the Witness Service will be at court to greet you",
    "the case did not meet the test for prosecution",
    "the evidence does not meet the standard we need",
    "I will see you at court on {date}",
    "unfortunately, we are not able to offer a meeting in this case",
    "the prosecutor met the defence barrister to discuss the case",
    "{name} met his friends at the {venue} that evening",
    "the family liaison officer will visit you to return the property",
    "the police will meet you to take a further statement",
    "the charity can arrange for someone to see you at home",
    "you will be able to see the court room before you give evidence",
]
MO_PURPOSE2 = ["to talk about the decision", "to discuss this further", "more information", "a call back"]


def meeting_offer(rng: random.Random) -> tuple[list[str], list[str]]:
    def pick_offer():
        offer = rng.choice(MO_OFFERS)
        return offer, offer

    def build_offer(offer: str) -> str:
        s = offer.replace("{where}", rng.choice(MO_WHERE)).replace("{purpose}", rng.choice(MO_PURPOSE))
        s = s.replace("{person}", rng.choice(MO_PEOPLE))
        return tidy(rng_fill(rng, rng.choice(MO_LEADS) + s + rng.choice(MO_TAILS)))

    def pick_not():
        offer = rng.random() < 0.6
        clause = rng.choice(MO_NOT_OFFERS if offer else MO_NOT)
        return clause, (offer, clause)

    def build_not(what: tuple[bool, str]) -> str:
        offer, clause = what
        s = clause.replace("{purpose}", rng.choice(MO_PURPOSE)).replace("{purpose2}", rng.choice(MO_PURPOSE2))
        s = s.replace("{person}", rng.choice(MO_PEOPLE))
        s = rng.choice(MO_LEADS) + s + rng.choice(MO_TAILS[:6]) if offer else s + "."
        return tidy(rng_fill(rng, s))

    return (draw(GENERATED["present"], pick_offer, build_offer, 30),
            draw(GENERATED["absent"], pick_not, build_not, 25))


# --- acknowledgement -------------------------------------------------------------------------
AK_VERBS = ["I understand ", "I know ", "We realise ", "I appreciate ", "I recognise ", "We are aware ",
            "I can see ", "We understand ", "I realise "]
AK_CLAUSES = [
    "how {adj} this news will be for you",
    "that this has been a {adj} time for you and your family",
    "how much the {event} has affected you",
    "that you have been left feeling {feeling} since the {event}",
    "how {adj} it has been to wait so long for a decision",
    "that the {event} has had a real effect on your {life}",
    "that this decision will be {adj} for you",
    "how hard it was for you to tell the police what happened",
    "that you have had to cope with a great deal",
    "the {event} has left you feeling {feeling}",
    "that you wanted {name} to answer for what happened",
]
AK_ADJ = ["difficult", "upsetting", "disappointing", "hard", "distressing", "painful", "frustrating", "worrying",
          "stressful", "unsettling"]
AK_FEELING = ["frightened", "anxious", "unsafe", "angry", "let down", "isolated", "shaken", "nervous about going out",
              "unable to sleep", "on edge"]
AK_EVENTS = ["attack", "burglary", "harassment", "assault", "fraud", "crash", "break-in", "abuse", "robbery",
             "stalking", "damage to your home", "online abuse", "theft of your car"]
AK_LIFE = ["work", "health", "family life", "sleep", "confidence", "finances", "everyday life"]
AK_SORRY = [
    "I am sorry for what you have been through",
    "I am so sorry that this happened to you",
    "I am sorry that the {event} has affected you so badly",
    "I'm sorry this decision adds to what you are already going through",
    "we are very sorry for the distress this has caused you",
    "I am sorry that you have been left feeling {feeling}",
    "it must have been {adj2} to be {experience}",
    "it is completely understandable to feel {dfeeling} about this decision",
    "you may well feel {dfeeling} when you read this, and that is understandable",
    "this is not the outcome you wanted, and I am sorry",
    "nobody should have to go through what you did",
]
AK_DFEELING = ["angry", "let down", "disappointed", "upset", "confused", "frustrated", "shocked"]
AK_ADJ2 = ["frightening", "terrifying", "very distressing", "awful", "shocking", "horrible"]
AK_EXPERIENCE = ["attacked in your own home", "threatened in front of your children", "followed home",
                 "robbed on your way to work", "targeted like that", "hit by a car while crossing the road",
                 "abused online for so long"]
AK_TAILS = [".", ".", ".", ", and I am sorry.", ", and I want you to know that.", " and I wanted to say so.",
            ", and I am sorry that we could not do more."]
AK_NOT = [
    "apologies that this letter has taken longer than it should",
    "we apologise for any inconvenience this letter may cause",
    "I regret to inform you that we have decided to stop the case",
    "if you feel {feeling}, {service} can help",
    "if you are feeling {feeling}, please call {service}",
    "should you feel {feeling} in future, please contact the police",
    "I understand that you have moved house",
    "I understand that the officer has already spoken to you",
    "I know that you gave a statement on {date}",
    "we are aware that the defence has written to you",
    "I appreciate that you have asked for a copy of the decision",
    "{name} was {feeling} when he was interviewed",
    "the witness said she felt {feeling} that night",
    "the other driver was badly hurt",
    "I hope this letter explains the position clearly",
    "I am sorry that the hearing on {date} was moved",
    "please accept our apologies for the error in our last letter",
    "it is with regret that I must tell you about our decision",
    "we are sorry, but we cannot share the file with you",
    "you can tell the court how the {event} has affected you in a Victim Personal Statement",
    "the judge will read your statement about the effect of the {event}",
    "the effect of the {event} on you was one of the things we considered",
    "we must think about the impact a trial has on every witness",
    "many victims find it helpful to talk to someone after a crime",
    "crime affects people in different ways",
    "I realise that you may have questions about what happens next",
    "I understand that you would like to be contacted by email",
    "the case was difficult to prove",
    "the prosecutor found this a difficult decision",
    "I hope you find this information useful",
    "I understand that {name} has been told about the decision",
    "I know that the {event} was reported to the police on {date}",
    "I am sorry for the delay in sending you this letter about the {event}",
    "we apologise that the hearing on {date} was moved at short notice",
    "I regret to say the prosecution of {name} is over",
    "{name} told the police he felt {feeling} during the argument",
    "I understand from the officer that you now live in {town}",
    "we know that {name} was at the {venue} that evening",
    "I appreciate that you phoned our office on {date}",
    "I recognise the name of the officer who dealt with the {event}",
    "the court heard that {name} was {feeling} after the incident",
    "the judge said the {event} was serious",
    "if the {event} has left you needing support, {service} can help",
    "sorry, but we cannot send documents by text message",
    "we realise that the trial date of {date} is no longer needed",
]
AK_SERVICES = ["Victim Support", "the Samaritans", "your ISVA", "the helpline below", "your GP", "Mind", "Cruse"]


def acknowledgement(rng: random.Random) -> tuple[list[str], list[str]]:
    def fill(s: str) -> str:
        for key, pool in (("{adj2}", AK_ADJ2), ("{adj}", AK_ADJ), ("{feeling}", AK_FEELING), ("{event}", AK_EVENTS),
                          ("{life}", AK_LIFE), ("{dfeeling}", AK_DFEELING), ("{experience}", AK_EXPERIENCE), ("{service}", AK_SERVICES)):
            while key in s:
                s = s.replace(key, rng.choice(pool), 1)
        return s

    half = GENERATED["present"] // 2
    present = [fill(s) for s in combine(rng, half, AK_VERBS, AK_CLAUSES, AK_TAILS, max_per_clause=20)]
    present += [fill(s) for s in combine(rng, GENERATED["present"] - half, ["", "", "Sadly, ", "Of course, ", "Truly, "],
                                         AK_SORRY, [".", ".", ".", ", and I want you to know that."], max_per_clause=20)]
    absent = [fill(s) for s in combine(rng, GENERATED["absent"], ["", "", "", "Please note that ", "Also, ", "Just to say, "],
                                       AK_NOT, ["."], max_per_clause=14)]
    present = [tidy(s) for s in present]
    absent = [tidy(s) for s in absent]
    return list(dict.fromkeys(present)), list(dict.fromkeys(absent))


# --- other parts of a letter (absent for every concept) --------------------------------------
OTHER_CLAUSES = [
    "you can call us on 0{n}{n} {n}{n}{n} {n}{n}{n}{n}",
    "my email address is {first}.{first}@cps.gov.uk",
    "please quote reference {n}{n}AB{n}{n}{n}{n}{n} in any reply",
    "{service} can offer you free and confidential support",
    "you can contact {service} at any time",
    "the officer in charge of the case is PC {name}",
    "please let us know if your address changes",
    "if you need this letter in another format, please tell us",
    "the time limit for asking is 10 working days from the date of this letter",
    "we can accept late requests in exceptional circumstances",
    "we hope you will still go to the police about any crime in the future",
    "the CPS is responsible for prosecuting criminal cases investigated by the police in England and Wales",
    "our office is open Monday to Friday, 9am to 5pm",
    "you told the police about the {offence} on {date}",
    "the incident took place near the {venue} in {town}",
    "a leaflet about the Victims' Code is enclosed",
    "you can find out more at www.cps.gov.uk",
    "this letter has been sent to you by post and by email",
    "your details will be kept confidential",
    "{name} lives in {town}",
    "I work in the Victim Liaison Unit in {town}",
    "CPS {town}, PO Box {n}{n}{n}",
]


def other(rng: random.Random) -> list[str]:
    def fill(s: str) -> str:
        while "{service}" in s:
            s = s.replace("{service}", rng.choice(AK_SERVICES + ["Rape Crisis", "the Witness Service", "Brake", "Galop"]), 1)
        return s
    out = combine(rng, GENERATED_OTHER, [""], OTHER_CLAUSES, ["."], max_per_clause=12)
    return [tidy(fill(s)) for s in out]


# ---------------------------------------------------------------------------------------------
GENERATORS = {"specific_reason": specific_reason, "decision_statement": decision_statement,
              "review_right": review_right, "meeting_offer": meeting_offer, "acknowledgement": acknowledgement}

HEADER = """# Labelled sentences for the concept classifier: {concept} (issue 13).
# Written by scripts/make_concept_sentences.py from the hand-written sentences in
# handwritten/{concept}.yml (first) and sentences combined from hand-written fragments (after).
# present: {n_p} sentences; absent: {n_a} sentences (near misses and boilerplate).
# Edit handwritten/ or the script, then run it again; do not edit this file by hand.
"""


def dump(path: Path, header: str, data: dict[str, list[str]]) -> None:
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(header + body, encoding="utf-8")


def main() -> None:
    seen: set[str] = set()
    for concept in CONCEPTS:
        rng = random.Random(f"{SEED}-{concept}")
        hand = yaml.safe_load((HAND / f"{concept}.yml").read_text(encoding="utf-8"))
        gen_p, gen_a = GENERATORS[concept](rng)
        present = list(dict.fromkeys(hand["present"] + gen_p))
        absent = [s for s in dict.fromkeys(hand["absent"] + gen_a) if s not in set(present)]
        dump(DATA / f"{concept}.yml", HEADER.format(concept=concept, n_p=len(present), n_a=len(absent)),
             {"present": present, "absent": absent})
        seen |= set(present) | set(absent)
        print(f"{concept:20s} present {len(present):4d} (hand {len(hand['present'])})  "
              f"absent {len(absent):4d} (hand {len(hand['absent'])})")
    rng = random.Random(f"{SEED}-other")
    hand = yaml.safe_load((HAND / "other.yml").read_text(encoding="utf-8"))
    absent = [s for s in dict.fromkeys(hand["absent"] + other(rng)) if s not in seen]
    dump(DATA / "other.yml", "# Sentences from the other parts of a letter: absent for every concept.\n"
         "# Written by scripts/make_concept_sentences.py from handwritten/other.yml and fragments.\n",
         {"absent": absent})
    print(f"{'other':20s} absent {len(absent):4d} (hand {len(hand['absent'])})")


if __name__ == "__main__":
    main()
