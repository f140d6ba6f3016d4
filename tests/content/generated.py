"""Small packs with made-up companies and names, built in code (English and Danish).

They are not the bundled pack, so tests on them check that retrieval rules are general,
not tuned to the wording of ``content/example_pack``.
"""

from __future__ import annotations

from content.schema import Objection, Persona

OWNER = ["owner@example.test"]


def _objection(oid: str, objection: str, phrasings: list[str], response: str) -> Objection:
    return Objection(
        id=oid,
        objection=objection,
        phrasings=phrasings,
        response=response,
        proof_points=["A reference customer of the same size"],
    )


def english() -> tuple[Persona, ...]:
    """A maker of lab equipment selling to hospitals: three personas."""
    wilma = Persona(
        id="lab-manager-wilhelmina",
        name="Lab Manager Wilhelmina",
        aliases=["Wilma", "the lab manager"],
        role="Runs the hospital's clinical laboratory and its twelve analysers",
        summary="Wants samples processed on time and audits passed without overtime.",
        decision_role="decision-maker",
        goals=["Shorter turnaround for urgent samples"],
        pains=["Manual logbooks before every audit"],
        owners=OWNER,
        objections=[
            _objection(
                "cost",
                "The subscription is more than our department can pay.",
                ["It's too pricey for a public hospital.", "Your quote is above our limit."],
                "Show the hours saved per audit. Compare with the cost of overtime.",
            ),
            _objection(
                "status-quo",
                "Our paper logbooks work fine.",
                ["We have always used binders.", "The spreadsheets are good enough for us."],
                "Ask what the last audit cost in hours. Offer to digitise one analyser first.",
            ),
            _objection(
                "timing",
                "Not this quarter, we are moving to the new building.",
                ["Ask me again after the move.", "We have no time before summer."],
                "Plan the start after the move. Offer a signed start date now.",
            ),
        ],
    )
    okonkwo = Persona(
        id="purchasing-lead-okonkwo",
        name="Purchasing Lead Okonkwo",
        aliases=["Okonkwo", "procurement"],
        role="Runs tenders for the hospital region",
        summary="Needs three comparable bids and a framework agreement.",
        decision_role="gatekeeper",
        goals=["Tenders that nobody can appeal"],
        pains=["Suppliers who change prices after the award"],
        owners=OWNER,
        objections=[
            _objection(
                "cost",
                "Your price per analyser is far above the other bids.",
                ["The others are cheaper.", "We cannot justify that price in the tender."],
                "Break the price into analyser, service and training. Show the total over five"
                " years.",
            ),
            _objection(
                "tender",
                "We can only buy through a public tender.",
                ["It has to go out to tender first.", "Is this on the framework agreement?"],
                "Offer the framework agreement number. Help write the requirements.",
            ),
        ],
    )
    ravi = Persona(
        id="quality-officer-ravi",
        name="Quality Officer Ravi",
        aliases=["Ravi", "the quality officer"],
        role="Keeps the laboratory accredited",
        summary="Signs off every change to validated processes.",
        decision_role="influencer",
        goals=["No findings at the next accreditation"],
        pains=["Validating every software update by hand"],
        owners=OWNER,
        objections=[
            _objection(
                "validation",
                "Every update means a new validation for us.",
                ["Who validates the software after each release?"],
                "Share the vendor validation package. Updates come twice a year, announced.",
            ),
            _objection(
                "timing",
                "Not before the accreditation visit in March.",
                ["After the audit, maybe."],
                "Agree, and book the kickoff for the week after the visit.",
            ),
        ],
    )
    return (wilma, okonkwo, ravi)


def danish() -> tuple[Persona, ...]:
    """En producent af landbrugsmaskiner der sælger til maskinstationer: to personaer."""
    gorm = Persona(
        id="driftsleder-gorm",
        name="Driftsleder Gorm",
        aliases=["Gorm", "driftslederen"],
        role="Leder maskinstationens daglige drift og 14 førere",
        summary="Vil have maskinerne kørende i høsten og papirarbejdet ud af førerhuset.",
        decision_role="decision-maker",
        goals=["Færre timer med stillestående maskiner"],
        pains=["Timesedler på papir der kommer for sent"],
        owners=OWNER,
        objections=[
            _objection(
                "pris",
                "Det er for dyrt til en lille maskinstation.",
                ["Prisen er for høj.", "Det har vi ikke råd til lige nu."],
                "Vis hvad en tabt høstdag koster. Start med tre maskiner.",
            ),
            _objection(
                "status-quo",
                "Vores regneark fungerer fint.",
                ["Vi har altid brugt papir og regneark.", "Det vi har virker."],
                "Spørg hvor lang tid faktureringen tager. Tilbyd at køre en måned parallelt.",
            ),
            _objection(
                "tidspunkt",
                "Ikke nu, høsten er lige begyndt.",
                ["Kom igen efter høsten.", "Vi har ikke tid før vinteren."],
                "Aftal opstart i november. Underskriv nu, betal fra opstart.",
            ),
        ],
    )
    sigrun = Persona(
        id="bogholder-sigrun",
        name="Bogholder Sigrun",
        aliases=["Sigrun", "bogholderen"],
        role="Fakturerer kunderne og afstemmer timer",
        summary="Vil have timerne ind samme dag og fakturaer uden fejl.",
        decision_role="influencer",
        goals=["Fakturering samme uge som arbejdet"],
        pains=["Utydelige timesedler"],
        owners=OWNER,
        objections=[
            _objection(
                "integration",
                "Det skal kunne tale med vores økonomisystem.",
                ["Kan det overføre til e-conomic?", "Jeg gider ikke taste det hele to gange."],
                "Vis integrationen til økonomisystemet. Opsætningen er med i prisen.",
            ),
            _objection(
                "tidspunkt",
                "Ikke før årsafslutningen er overstået.",
                ["Tag det op igen i februar."],
                "Planlæg opstart i februar. Aftal datoen nu.",
            ),
        ],
    )
    return (gorm, sigrun)
