"""Hand-written seller answers for testing the role-play scorer (issue 12).

The role-play scorer grades what a seller says back to an objection. The tests of issue 12
show, for every default scenario of the bundled English example pack (``example``:
``content/example_pack``), the Danish test pack (``da``: ``content/example_packs/da``) and
the Danish development pack of the evaluation set (``dev-da``: ``eval/dev/pack-da``), that a good
answer scores at or above the pass mark and a weak one under 40. The Norwegian pack
(``nb``: ``content/example_packs/nb``) is covered too, and so are the Swedish, German and
French test packs (``sv``, ``de``, ``fr``: ``tests/fixtures/packs/<pack>``).

``REWORDED[(pack, persona_id, objection_id)]`` is the objection's own ``response``,
reworded by hand the way a good seller says it out loud to the buyer, in the pack's
language. So that the test is rigged in neither direction, each rewording:

- covers every idea of the response (each sentence's point), in the same language;
- keeps the content nouns and facts a seller naturally keeps (product names, numbers,
  "payback", "GDPR", "subcontractors"...), but changes sentence structure, verbs and
  connecting words, inflections (singular/plural, verb forms) and swaps some words for
  synonyms; in Danish, Norwegian, Swedish and German, compounds are sometimes split or
  joined ("fejlleverance" / "en leverance bliver forkert", "saldi for ferie" / "feriesaldi",
  "kvittobilden" / "bilden av kvittot", "Monatspreis" / "monatlicher Preis"); in French,
  elisions and inflections follow the new sentence ("les écritures validées" / "vous
  validez une écriture", "on l'importe");
- copies no sentence and, apart from names of standards and agreements, no more than about
  four consecutive words of the response;
- is about as long as the response (0.7x-1.5x), in full sentences, not a list;
- mentions the proof points only where the response itself does.

``TYPO`` holds, for three objections per pack (two for ``sv``, ``de`` and ``fr``), the same
rewording with 3-5 realistic typos (dropped or swapped letters, missing diacritics such as
"okonomisystem", "ungefahr", "tresorerie").

``GENERIC_WEAK[language]`` lists answers a weak seller gives that address nothing.

The responses are advice to the seller ("Show ...", "Offer ..."), so the rewordings turn
them into what the seller says to the buyer ("Let me show you ...", "I can offer ...").
"""

from __future__ import annotations

REWORDED: dict[tuple[str, str, str], str] = {
    # example: cfo-frida
    ("example", "cfo-frida", "price"): (
        "Instead of talking about the licence price, let's talk about your cash and how fast you "
        "bill. If we take your own numbers for the average days to invoice and for materials that "
        "never get billed, we can work out what it's worth to you if work in progress shrinks by "
        "one week. And if you'd still rather compare the price per user, I'll put our total cost, "
        "with onboarding and the connectors included, side by side with the competitor's quote."
    ),
    ("example", "cfo-frida", "payback"): (
        "Before we meet again, I'd like to take three figures straight out of your accounting "
        "system: how many days it takes you to invoice, how much material you bill per job, and "
        "how many credit notes you issued last year. We'll base the payback on your figures, using "
        "cautious improvement assumptions that you can change yourself. I won't bring generic ROI "
        "numbers from the industry, because they would only make the case weaker in your eyes."
    ),
    ("example", "cfo-frida", "seasonal-licences"): (
        "Our licensing is flexible: you can change the number of seats every month, and your "
        "subcontractors can have a cheap licence just for jobs, which is enough to receive the "
        "work orders assigned to them and close them. Let's sketch together how your headcount "
        "goes up and down over next year, so you see what the real figure for the whole year would "
        "be."
    ),
    ("example", "cfo-frida", "integration"): (
        "Let me show you how a finished job turns into a draft invoice in your accounting system, "
        "with the VAT, the project and the cost codes already mapped. Fieldline maintains and "
        "monitors the connector, and if a transfer fails it lands in a queue where you can see it, "
        "rather than vanishing without anyone noticing. If it helps, I can put you in touch with a "
        "finance lead at a reference customer who uses the same system as you."
    ),
    ("example", "cfo-frida", "timing"): (
        "Can I ask whether you'd sign off on spending in the middle of the year if it pays for "
        "itself inside twelve months? A lot of finance leads in companies like yours do. If you "
        "would, I'll show you what each month of waiting costs you in tied-up work in progress and "
        "in materials that aren't billed. If you wouldn't, let's agree on the date this goes into "
        "your budget, and we can set go-live after your peak season, with the first invoice "
        "following from then."
    ),
    ("example", "cfo-frida", "contract-terms"): (
        "What worries you most about the contract, the price increase at renewal or how you get "
        "out? Let's deal with that point first. Fieldline is able to offer you a 12-month "
        "agreement where the price for year two is fixed, and the terms for leaving, free export "
        "of your data included, are already part of our standard contract. I'll send you the draft "
        "contract early, so your redlines are in before operations starts planning the rollout."
    ),
    # example: it-manager-bjorn
    ("example", "it-manager-bjorn", "security"): (
        "I'll get you our whole security pack at once, by tomorrow: the ISO 27001 certificate, the "
        "DPA, the list of sub-processors, where we host, and our answers to the usual standard "
        "questionnaire. Whatever is still open after that, one of our Fieldline engineers can walk "
        "through with you on a technical call. In my experience, having everything complete from "
        "the start is what makes the review go faster."
    ),
    ("example", "it-manager-bjorn", "integration"): (
        "You won't have to keep it alive: Fieldline builds, monitors and updates the standard "
        "connectors to the accounting systems, so if either system changes, that's our problem, "
        "not yours. For other integrations there's a documented REST API plus webhooks, and I'm "
        "happy to set up a technical session with one of our integration engineers."
    ),
    ("example", "it-manager-bjorn", "sso"): (
        "Yes, single sign-on with Entra ID is included, and so is automatic provisioning and "
        "deprovisioning of users, in the standard licence and not as a more expensive tier. Let me "
        "show you what happens when someone leaves: once their account is disabled they lose "
        "access straight away, in the phone app too."
    ),
    ("example", "it-manager-bjorn", "device-management"): (
        "The app works with Intune app protection policies, which means you can wipe company data "
        "from a phone that's lost, or from someone's personal device, and leave their private data "
        "alone. I can send you our deployment guide for your mobile device management setup."
    ),
    ("example", "it-manager-bjorn", "lock-in"): (
        "For a service business, what really counts is your equipment register and the years of "
        "service history for each site, because customers and inspectors can ask for them long "
        "after you've switched. You can export every bit of that, photos and signed reports "
        "included, free of charge, and it's guaranteed in the contract."
    ),
    # example: operations-director-oskar
    ("example", "operations-director-oskar", "price"): (
        "Let's compare the price with what your current setup actually costs you: the hours and "
        "materials that never get billed, the second visits, and the overtime your dispatchers "
        "work. If you can give me last quarter's figures for revisits and days to invoice, we can "
        "do the maths together. And if there's still a gap after that, we could begin with a "
        "single region or trade with a lower cost to get started, rather than me lowering the "
        "price per technician."
    ),
    ("example", "operations-director-oskar", "technician-adoption"): (
        "You're right, whether the technicians adopt it is the real risk. So I'd suggest a pilot "
        "of four weeks with one team and their team lead, and we measure it on how many jobs get "
        "closed in the app. Look how little a technician actually types: a photo, a signature, a "
        "few ticks on the checklist and the parts scanned in the van. And instead of showing you a "
        "slide, I'd rather you heard it on a call from a team lead working at one of our reference "
        "customers."
    ),
    ("example", "operations-director-oskar", "integration"): (
        "Which accounting system do you run? Let me show you our standard connector for it live, "
        "where a finished job becomes a draft invoice. If you need something beyond the standard, "
        "I'd rather bring your IT people to our next meeting than promise it here and now. And the "
        "connector is included in the onboarding at a fixed price."
    ),
    ("example", "operations-director-oskar", "timing"): (
        "I get it, and we'll plan around your season: you sign now, we do the configuration and "
        "the migration during the quiet weeks, and one pilot team goes live once the peak is over. "
        "What do you think this year's peak will cost you in overtime and missed SLAs? That way, "
        "waiting is a choice you make consciously. You pick the go-live date."
    ),
    ("example", "operations-director-oskar", "status-quo"): (
        "Fair enough, I won't argue with that. But what happens when your senior dispatcher goes "
        "on holiday, or quits? And how do you report SLA compliance to your biggest customer "
        "today? Tell me where the gaps are, and I'll show you just a couple of screens, two or "
        "three, that fill those gaps."
    ),
    ("example", "operations-director-oskar", "rollout-disruption"): (
        "You don't have to stop anything, because we roll out one team at a time. Jobs that are "
        "already open finish in your old process, and only the pilot team's new jobs are created "
        "in Fieldline. Here's the migration plan for your customers, sites and the equipment "
        "you've installed; it also shows who does the work. Dispatch is never down, not even for a "
        "day."
    ),
    # example: team-lead-tuva
    ("example", "team-lead-tuva", "double-entry"): (
        "Let's time a complete close-out of a job on your own phone: the photo, the checklist, the "
        "parts and the customer's signature. With this, the paper sheet goes, and so do the photos "
        "sent by message in the evening and the calls to the office, and we stop using the paper "
        "sheet from the first day the pilot team starts. Count the steps yourself, don't just take "
        "my word for it."
    ),
    ("example", "team-lead-tuva", "offline"): (
        "That's fine, the app works completely offline. The job details, the drawings and the "
        "checklists download to the phone as soon as a job is assigned to you, and it all syncs "
        "once there's signal again. We can try it out during the pilot at one of your worst sites. "
        "And if the phone dies, you lose nothing, since every step you've completed is saved on "
        "the device."
    ),
    ("example", "team-lead-tuva", "tracking"): (
        "I'll be straight with you: live location is switched off by default, and whether anything "
        "is turned on beyond checking in and out on the job is something the company decides "
        "together with the employee representatives. Let me show you exactly what dispatch sees. I "
        "can also give you the documentation on data processing that union reps and works councils "
        "usually want to see."
    ),
    ("example", "team-lead-tuva", "usability"): (
        "Here, take the phone and try closing out a job yourself, preferably outside or on an "
        "actual job. You'll see the buttons are big, you can dictate notes with voice-to-text, and "
        "most of the fields are already filled in from the work order. And I'd suggest we "
        "deliberately include the technician who's most sceptical in the pilot."
    ),
    ("example", "team-lead-tuva", "timing"): (
        "You're right, so let's do the pilot with your team during the first quiet weeks once the "
        "peak is over. The training takes roughly 45 minutes on site one morning, not a whole day "
        "in a classroom. Until then, you're welcome to try out the app on your own phone with some "
        "sample jobs."
    ),
    # da: direktor-henrik
    ("da", "direktor-henrik", "pris"): (
        "Lad os tale mindre om prisen på licensen og mere om jeres ordrekontor og de "
        "fejlleverancer, I har. Skal vi regne på det sammen? Hvor mange minutter går der på en "
        "manuel ordre, og hvad koster det jer i fragt og kreditnotaer, når en leverance bliver "
        "forkert? Og så lægger jeg hele prisen, inklusive opsætning og integration til jeres ERP, "
        "ved siden af konkurrentens tilbud, så I sammenligner æbler med æbler."
    ),
    ("da", "direktor-henrik", "kunderne-ringer"): (
        "Du har ret, telefonen bliver ikke væk, og en stor del af kunderne vil blive ved med at "
        "ringe. Men se, hvordan det har fordelt sig hos en grossist, der ligner jer: det er "
        "genbestillinger og standardvarer, der rykker online først, tit om aftenen, mens de svære "
        "ordrer fortsat kommer gennem sælgerne. Jeg foreslår, at vi begynder med de 20 kunder, som "
        "bestiller mest."
    ),
    ("da", "direktor-henrik", "saelgerne"): (
        "Portalen skal være sælgernes egen: alle kunder hænger på deres egen sælger, ordrer, der "
        "kommer ind online, bliver regnet med i sælgerens egne tal, og inden et besøg kan sælgeren "
        "se kundens kurv og ordrehistorik. Jeg vil foreslå, at jeres bedste sælger er med fra "
        "starten, så resten af holdet hører det fra en af deres egne."
    ),
    ("da", "direktor-henrik", "timing"): (
        "Hvad er det, der giver travlheden lige nu, og bliver det problem mindre, hvis I venter? "
        "Vi kan lægge planen sådan, at vi sætter det op uden for højsæsonen og først inviterer "
        "kunderne, når jeres ordrekontor er klar til det. Og lad mig vise dig, hvad hver måned "
        "uden en portal koster jer i manuelle ordrer."
    ),
    # da: e-handelsansvarlig-line
    ("da", "e-handelsansvarlig-line", "produktdata"): (
        "Bare rolig, der er ikke en eneste grossist, der har perfekte data om sine produkter fra "
        "dag ét. Vi begynder med de 500 varer, som jeres kunder oftest bestiller igen, og henter "
        "billederne og databladene i leverandørernes kataloger. Jeg viser dig, hvordan man "
        "importerer fra et regneark, så du kan se, at data kan gøres bedre løbende, også efter "
        "opstarten."
    ),
    ("da", "e-handelsansvarlig-line", "kunderne-ringer"): (
        "Her er en plan for opstarten: jeres 20 mest aktive kunder får en personlig invitation fra "
        "deres egen sælger, og deres historik over ordrer og deres favoritlister ligger klar, så "
        "den første ordre klares på under et minut. Efter to uger følger vi op på dem, der endnu "
        "ikke har logget ind."
    ),
    ("da", "e-handelsansvarlig-line", "ressourcer"): (
        "Lad mig vise, hvad vi hos Ordrelinje står for i opstarten, og hvad du selv skal stå for: "
        "vi klarer integrationen og opsætningen, mens indholdet og kunderne er dine. Vi kan regne "
        "dine timer ud for hver uge, så du har noget at vise direktøren, der beviser, at det er "
        "realistisk ved siden af dine andre opgaver."
    ),
    # da: it-ansvarlig-kasper
    ("da", "it-ansvarlig-kasper", "integration"): (
        "Lad os tage den tekniske snak allerede nu, sammen med en af vores integrationsfolk fra "
        "Ordrelinje. Jeg viser dig standardintegrationen til din version af ERP-systemet, og så "
        "går vi dine tilpasninger igennem én for én, så du kan se, hvad standarden dækker, og hvor "
        "der skal mere til. Du kan også få adgang til et testmiljø, hvor du selv sender ordrer "
        "igennem."
    ),
    ("da", "it-ansvarlig-kasper", "sikkerhed"): (
        "Lad mig gennemgå, hvordan adgangen styres: jeres medarbejdere logger på med firmaets "
        "Microsoft-konto, og hver kunde har sit eget personlige login med totrinsbekræftelse. Det "
        "er kundens egen administrator, der opretter brugerne og lukker dem igen. Jeg sender dig "
        "dokumentationen om sikkerhed og vores ISAE-erklæring."
    ),
    ("da", "it-ansvarlig-kasper", "gdpr"): (
        "Du får databehandleraftalen og listen over vores underdatabehandlere straks, og jeg kan "
        "bekræfte, at alle data ligger i EU. Jeg ved, at det typisk er det første, der skal være "
        "på plads, inden du bruger tid på resten."
    ),
    # da: okonomichef-mette
    ("da", "okonomichef-mette", "pris"): (
        "Lad os bygge businesscasen op om tre tal, som vi henter i jeres eget system: hvor mange "
        "ordrer I har om måneden, hvor mange kreditnotaer I udstedte sidste år, og hvor lang tid "
        "en manuel ordre i gennemsnit tager. Vi regner med forsigtige forbedringer, som du selv "
        "kan justere. Jeg kommer ikke med generelle løfter fra branchen, for det er dine egne tal, "
        "der tæller."
    ),
    ("da", "okonomichef-mette", "integration"): (
        "Se her, hvordan en ordre løber fra portalen over i jeres ERP med kundens priser, rabatter "
        "og adresse for levering. Det er Ordrelinje, der vedligeholder og overvåger integrationen, "
        "og hvis en ordre fejler, ryger den i en kø, og I får besked, så den ikke bare forsvinder. "
        "Du kan også tale med en økonomichef hos en referencekunde, som kører det samme system som "
        "jer."
    ),
    ("da", "okonomichef-mette", "binding"): (
        "Lad mig starte med vilkårene: I får en aftale på 12 måneder, hvor prisen for år to er "
        "fast, og derefter reguleres prisen efter nettoprisindekset. Det står i vores "
        "standardkontrakt, at I får et gratis udtræk af jeres data, hvis I opsiger aftalen. Jeg "
        "sender dig udkastet til kontrakten i god tid, så dine rettelser er med, inden direktøren "
        "har bestemt sig."
    ),
    ("da", "okonomichef-mette", "gdpr"): (
        "Jeg kan bekræfte, at alle jeres data bliver opbevaret i datacentre, der ligger i EU, og "
        "du får databehandleraftalen og vores liste over underdatabehandlere i dag. Hvis jeres "
        "revisor har spørgsmål, kan vi holde et møde med den, der er ansvarlig for "
        "informationssikkerheden hos Ordrelinje."
    ),
    # dev-da: bogholder-bente
    ("dev-da", "bogholder-bente", "skifte-risiko"): (
        "Jeg forstår godt, at du er bekymret, og du har ret: det er dig, der står med "
        "konsekvenserne, hvis noget går galt. Derfor kører vi den første kørsel af lønnen "
        "sideløbende med jeres gamle system, og vi sammenligner alle lønsedler, inden der bliver "
        "udbetalt en krone. I de første tre lønkørsler har du din egen faste lønkonsulent, som du "
        "bare kan ringe direkte til."
    ),
    ("dev-da", "bogholder-bente", "overenskomst"): (
        "Hvilken overenskomst følger I? Vi har skabeloner klar til de mest udbredte, for eksempel "
        "Industriens Overenskomst og Bygge- og Anlægsoverenskomsten. Jeres lokale aftaler og "
        "særlige tillæg bliver sat op som selvstændige lønarter af vores lønkonsulent, mens vi er "
        "i gang med opstarten. Hvis du vil, tager vi en af dine mest besværlige lønsedler og "
        "regner den ud i systemet, du og jeg sammen."
    ),
    ("dev-da", "bogholder-bente", "integration"): (
        "Lad mig vise dig live, hvordan det hænger sammen med jeres økonomisystem: efter hver "
        "kørsel af lønnen bliver den automatisk bogført på de rigtige konti. Systemet indberetter "
        "også selv til eIndkomst, til pensionsselskaberne og for feriepengene. Hvis du sender mig "
        "jeres kontoplan, kan jeg vise dig bogføringen præcis, som den vil se ud hos jer."
    ),
    ("dev-da", "bogholder-bente", "tidspunkt"): (
        "Du har ret, årsskiftet er et fint tidspunkt at skifte på. Men vi overfører jeres "
        "feriesaldi, feriefridage og de akkumulerede beløb, så det ikke skaber rod at skifte midt "
        "i året. Vil du stadig helst vente til januar, så lad os aftale, at opstarten og "
        "indsamlingen af data går i gang allerede i november, så december ikke bliver stresset for "
        "dig. Det vigtigste for mig er, at vi får sat en dato i kalenderen."
    ),
    # dev-da: ejerleder-erik
    ("dev-da", "ejerleder-erik", "pris"): (
        "Lad os sammenligne med alt det, lønnen koster jer i dag, og ikke kun licensen: de timer "
        "bogholderen bruger på at taste, de regninger revisoren sender for at rette fejl, og den "
        "tid, du selv lægger i det. Vi kan regne det igennem sammen i prisberegneren med det antal "
        "ansatte, I har. Jeg går ikke ned i pris, men den første måned får du gratis, så du kan se "
        "i praksis, hvad I sparer."
    ),
    ("dev-da", "ejerleder-erik", "status-quo"): (
        "Du har ret, det virker i dag. Men hvad sker der, hvis jeres bogholder bliver syg eller "
        "siger sin stilling op? Den egentlige risiko ligger ikke i selve kørslen af lønnen, men i "
        "at I er afhængige af én enkelt person og et enkelt regneark. Vi kan lave en prøvekørsel "
        "af lønnen ved siden af det, I har nu, så du ser forskellen uden at skulle ændre noget."
    ),
    ("dev-da", "ejerleder-erik", "tidspunkt"): (
        "Det forstår jeg godt, højsæsonen skal have lov at gå forud. Opstarten kræver dog næsten "
        "intet af dig: vi trækker data ud af jeres gamle system og sætter det op sammen med jeres "
        "bogholder. Hvad siger du til, at vi finder en konkret dato at starte på i en mere rolig "
        "periode, og at vi aftaler et kort møde til opfølgning allerede nu, så det ikke glider? "
        "Betyder travlheden i øvrigt flere timesedler og mere manuelt arbejde? Det er jo præcis "
        "det, systemet fjerner."
    ),
    ("dev-da", "ejerleder-erik", "ibrugtagning"): (
        "Se her på min telefon: en hel dag registrerer man på under et minut, og man behøver ikke "
        "logge ind hver eneste gang. Dine folk kan selv se deres timer, deres overtid og hvor "
        "meget ferie de har tilbage, og det plejer at betyde, at kontoret får færre spørgsmål. Jeg "
        "giver gerne dine formænd en intro på fem minutter, for det er ofte dem, der får resten "
        "med."
    ),
    # nb: bas-ola
    ("nb", "bas-ola", "dekning"): (
        "Se her, jeg setter telefonen i flymodus: sjekklistene, tegningene og bildene virker helt "
        "fint uten dekning, og alt synkroniseres så snart telefonen har nett igjen. La oss prøve "
        "det ute på byggeplassen, ikke i et møterom."
    ),
    ("nb", "bas-ola", "fagarbeiderne"): (
        "Du trenger egentlig bare å gjøre tre ting: du åpner sjekklisten, tar et bilde og "
        "kvitterer ut. Prøv det selv, med hanskene på. Og prosjektlederen kommer til å slutte å "
        "ringe deg om det som allerede ligger i appen."
    ),
    # nb: daglig-leder-terje
    ("nb", "daglig-leder-terje", "pris"): (
        "La oss ikke bare snakke om prisen på lisensen. Kan vi ta for oss et prosjekt dere har "
        "avsluttet, og lete etter endringer som aldri ble varslet, eller som ikke ble dokumentert "
        "tidsnok? Ofte er ett tillegg dere tapte nok til å betale lisensen for et helt år. "
        "Deretter legger jeg den totale prisen, inkludert oppstart og opplæring, opp mot tilbudet "
        "fra konkurrenten."
    ),
    ("nb", "daglig-leder-terje", "fagarbeiderne"): (
        "Du har rett i at ingen på byggeplass liker papirarbeid. Men se hvor lite en fagarbeider "
        "egentlig trenger å gjøre: tar et bilde, velger sjekklisten og kvitterer ut. Jeg foreslår "
        "at vi kjører et pilotprosjekt med den mest skeptiske basen deres, og så lar vi "
        "resultatene tale for seg."
    ),
    ("nb", "daglig-leder-terje", "tid"): (
        "Hva om vi starter med et nytt prosjekt, heller enn å skifte system midt i prosjekter som "
        "pågår? Da trenger ikke folkene på byggeplassen å lære seg noe nytt i høysesongen, og de "
        "andre prosjektene kommer etter hvert som de starter."
    ),
    # nb: hms-leder-silje
    ("nb", "hms-leder-silje", "personvern"): (
        "Mannskapslisten er noe loven krever etter byggherreforskriften, og Byggelogg lagrer ikke "
        "mer enn det som er påkrevd. Jeg sender deg databehandleravtalen, viser deg hvordan "
        "tilgangene styres, og kan bekrefte at alle data blir lagret i Norge og EU."
    ),
    ("nb", "hms-leder-silje", "fagarbeiderne"): (
        "En RUH-melding sendes på under ett minutt, og man kan gjøre det anonymt. Den som melder, "
        "får beskjed når saken er behandlet, og det er nettopp den tilbakemeldingen som gjør at "
        "folk melder på nytt."
    ),
    ("nb", "hms-leder-silje", "opplaering"): (
        "De innleide og underentreprenørene får en forenklet tilgang med kun det de trenger: "
        "mannskapslisten, RUH og sjekklistene for faget sitt. Vi har videoer for opplæring på "
        "norsk, litauisk og polsk, og vi kan ta en oppstartsdag sammen ute på byggeplassen."
    ),
    # nb: prosjektleder-kari
    ("nb", "prosjektleder-kari", "har-allerede"): (
        "Det skal jeg ikke kritisere. Men hvor lang tid brukte dere på sluttdokumentasjonen i "
        "forrige prosjekt, og hvor mange varsler gikk ut etter at fristen var passert? Byggelogg "
        "erstatter ikke prosjekthotellet dere allerede har, den leverer rett inn i det."
    ),
    ("nb", "prosjektleder-kari", "fagarbeiderne"): (
        "La meg vise deg alt en fagarbeider faktisk må gjøre, og det tar under ett minutt. Velg "
        "gjerne en bas du stoler på til pilotprosjektet, så deler vi resultatene på det neste "
        "byggemøtet."
    ),
    ("nb", "prosjektleder-kari", "varsling"): (
        "Her er modulen for varsling, med maler etter NS 8405 og NS 8407, frister og påminnelser "
        "til deg som prosjektleder. Bilder og dagboken fra byggeplassen knyttes direkte til "
        "varselet, så dokumentasjonen ligger klar før byggherren rekker å spørre."
    ),
    # sv: ekonomichef-elin
    ("sv", "ekonomichef-elin", "pris"): (
        "Vi debiterar bara aktiva användare, så en anställd som under en månad inte lämnar in "
        "något alls kostar er ingenting. Låt oss ställa licensen mot tiden du lägger på att jaga "
        "kvitton och på manuell kontering."
    ),
    ("sv", "ekonomichef-elin", "integration"): (
        "Jag visar dig integrationen live: ett attesterat utlägg bokförs på rätt konto, med rätt "
        "moms och rätt kostnadsställe, och bilden av kvittot hamnar på verifikationen."
    ),
    ("sv", "ekonomichef-elin", "kvitton"): (
        "Konsulterna fotar kvittot i appen i samma ögonblick som köpet görs, och den som glömmer "
        "får automatiska påminnelser. Många kunder har dessutom kopplat företagets kort, så att "
        "utläggen skapas av sig själva."
    ),
    # sv: it-ansvarig-isak
    ("sv", "it-ansvarig-isak", "integration"): (
        "Det är vi som driver integrationen och övervakar den, och skulle en synkning misslyckas "
        "får både ekonomiavdelningen och IT ett larm. Du behöver alltså inte bygga något själv, "
        "och du behöver inte heller drifta det."
    ),
    ("sv", "it-ansvarig-isak", "sakerhet"): (
        "Jag kan bekräfta att all er data lagras i våra datacenter i Sverige och i Finland. "
        "Dokumentationen om säkerheten och biträdesavtalet får du av mig i dag, så att du slipper "
        "fråga en gång till."
    ),
    ("sv", "it-ansvarig-isak", "inloggning"): (
        "Låt mig visa hur man loggar in via Microsoft Entra ID, och hur användarna skapas och "
        "stängs av automatiskt utifrån er företagskatalog. Du får inga separata lösenord som du "
        "måste hantera."
    ),
    # de: einkaufsleiter-jens
    ("de", "einkaufsleiter-jens", "preis"): (
        "Lassen Sie uns zusammen die gesamten Kosten vergleichen: Bei uns stecken die Hardware, "
        "der Einbau und alle Updates schon im monatlichen Preis. Dagegen rechnen wir dann, wie "
        "viel Kraftstoff Sie durch die Optimierung der Routen sparen, in der Regel zwischen acht "
        "und zwölf Prozent."
    ),
    ("de", "einkaufsleiter-jens", "vertragslaufzeit"): (
        "Ich biete Ihnen eine Vertragslaufzeit von 12 Monaten an. Endet der Vertrag, bleibt die "
        "Hardware bei Ihnen, zurückgeben müssen Sie nichts. Ein Lock-in gibt es damit nicht."
    ),
    ("de", "einkaufsleiter-jens", "datenschutz"): (
        "Ich zeige Ihnen unsere Muster-Betriebsvereinbarung und den Modus für den Datenschutz: "
        "Geortet wird nur während der Arbeitszeit, die Leistung einzelner Fahrer wird nicht "
        "kontrolliert, und nach 90 Tagen werden die Daten gelöscht."
    ),
    # de: fuhrparkleiterin-sabine
    ("de", "fuhrparkleiterin-sabine", "datenschutz"): (
        "Schauen Sie sich den Datenschutzmodus an: Geortet wird ausschließlich, solange die Tour "
        "läuft, und einzelne Fahrer werden nicht ausgewertet. Gern gehe ich die "
        "Muster-Betriebsvereinbarung auch zusammen mit Ihrem Betriebsrat durch."
    ),
    ("de", "fuhrparkleiterin-sabine", "fahrer-akzeptanz"): (
        "Hier sehen Sie die App für die Fahrer: drei Knöpfe, in sieben Sprachen. Mein Vorschlag: "
        "Nehmen wir im Pilot ausgerechnet die Fahrer mit, die am skeptischsten sind."
    ),
    ("de", "fuhrparkleiterin-sabine", "einbau"): (
        "Pro Fahrzeug brauchen wir für den Einbau ungefähr 45 Minuten, und das erledigen wir "
        "nachts oder am Wochenende direkt bei Ihnen auf dem Hof. Keines Ihrer Fahrzeuge muss dafür "
        "in eine Werkstatt."
    ),
    # fr: comptable-julien
    ("fr", "comptable-julien", "integration"): (
        "Dès que vous validez une écriture, elle part automatiquement dans Sage, avec sa pièce "
        "jointe. Et votre plan comptable, on l'importe dès le démarrage, donc vous n'aurez rien à "
        "ressaisir."
    ),
    ("fr", "comptable-julien", "controle"): (
        "Rien ne sera comptabilisé sans votre validation, et l'outil apprend à partir de chacune "
        "de vos corrections. Regardez, voici le journal qui garde la trace de toutes les "
        "modifications."
    ),
    ("fr", "comptable-julien", "fournisseurs"): (
        "Les factures papier, nous les numérisons, et vos fournisseurs peuvent aussi les envoyer à "
        "une adresse mail prévue pour la collecte. De toute façon, avec la réforme, eux aussi "
        "devront passer à la facturation électronique."
    ),
    # fr: daf-claire
    ("fr", "daf-claire", "prix"): (
        "Regardons ce que vous coûte aujourd'hui une facture traitée manuellement : c'est souvent "
        "au-delà de dix euros. Ajoutez-y ce que vous gagnez en trésorerie quand les relances "
        "partent automatiquement. L'abonnement, lui, se calcule sur votre volume de factures, et "
        "non sur le nombre d'utilisateurs."
    ),
    ("fr", "daf-claire", "integration"): (
        "Je vous montre nos connecteurs standard et la façon dont les écritures se synchronisent. "
        "C'est notre équipe qui s'occupe de la mise en place, en deux semaines, et vous n'avez "
        "aucun projet informatique à lancer."
    ),
    ("fr", "daf-claire", "calendrier-reforme"): (
        "Attention : dès 2026, toutes les entreprises devront pouvoir recevoir des factures "
        "électroniques, la vôtre comprise, et au dernier moment les plateformes vont être "
        "saturées. Je vous propose de commencer par les factures de vos fournisseurs, parce que "
        "là, le gain se voit tout de suite."
    ),
}

TYPO: dict[tuple[str, str, str], str] = {
    # example: cfo-frida
    ("example", "cfo-frida", "payback"): (
        "Before we meet again, I'd like to take three figures stright out of your acounting "
        "system: how many days it takes you to invoice, how much material you bill per job, and "
        "how many credit ntoes you issued last year. We'll base the payback on your figures, using "
        "cautous improvement assumptions that you can change yourself. I won't bring generic ROI "
        "numbers from the industry, because they would only make the case weaker in your eyes."
    ),
    # example: it-manager-bjorn
    ("example", "it-manager-bjorn", "security"): (
        "I'll get you our whole security pack at once, by tomorrow: the ISO 27001 certficate, the "
        "DPA, the list of sub-procesors, where we host, and our answers to the usual standard "
        "questionaire. Whatever is still open after that, one of our Fieldline enigneers can walk "
        "through with you on a technical call. In my experience, having everything complete from "
        "the start is what makes the review go faster."
    ),
    # example: team-lead-tuva
    ("example", "team-lead-tuva", "offline"): (
        "That's fine, the app works completly offline. The job details, the drawnigs and the "
        "cheklists download to the phone as soon as a job is assigned to you, and it all syncs "
        "once there's signal agian. We can try it out during the pilot at one of your worst sites. "
        "And if the phone dies, you lose nothing, since every step you've completed is saved on "
        "the devcie."
    ),
    # da: direktor-henrik
    ("da", "direktor-henrik", "pris"): (
        "Lad os tale mindre om prisen på licensen og mere om jeres ordrekontr og de fejleverancer, "
        "I har. Skal vi regne på det sammen? Hvor mange minutter går der på en manuel ordre, og "
        "hvad koster det jer i fragt og kreditnotar, når en leverance bliver forkert? Og så lagger "
        "jeg hele prisen, inklusive opsætning og integration til jeres ERP, ved siden af "
        "konkurrentens tilbud, så I sammenligner æbler med abler."
    ),
    # da: e-handelsansvarlig-line
    ("da", "e-handelsansvarlig-line", "produktdata"): (
        "Bare rolig, der er ikke en eneste grossist, der har perfekte data om sine produkter fra "
        "dag et. Vi begynder med de 500 varer, som jeres kunder oftest bestiller igen, og henter "
        "billederne og databladene i leverandorernes katloger. Jeg viser dig, hvordan man "
        "importerer fra et regneark, så du kan se, at data kan gøres bedre lobende, også efter "
        "opstarten."
    ),
    # da: okonomichef-mette
    ("da", "okonomichef-mette", "gdpr"): (
        "Jeg kan bekræft, at alle jeres data bliver opbevaret i datacentre, der ligger i EU, og du "
        "får databehandleraftlen og vores liste over underdatabehandelre i dag. Hvis jeres revisor "
        "har sporgsmål, kan vi holde et møde med den, der er ansvarlig for informationsikkerheden "
        "hos Ordrelinje."
    ),
    # dev-da: bogholder-bente
    ("dev-da", "bogholder-bente", "skifte-risiko"): (
        "Jeg forstår godt, at du er bekymert, og du har ret: det er dig, der står med "
        "konsekvenserne, hvis noget går galt. Derfor kører vi den første kørsel af lønnen "
        "sidelobende med jeres gamle system, og vi sammenligner alle lonsedler, inden der bliver "
        "udbetalt en krone. I de første tre lønkørsler har du din egen faste lønkonsulnet, som du "
        "bare kan ringe direkte til."
    ),
    ("dev-da", "bogholder-bente", "integration"): (
        "Lad mig vise dig live, hvordan det hænger sammen med jeres okonomisystem: efter hver "
        "kørsel af lønnen bliver den automatisk bogfort på de rigtige konti. Systemet indberetter "
        "også selv til eIndkomst, til pensionselskaberne og for feriepengene. Hvis du sender mig "
        "jeres kontplan, kan jeg vise dig bogføringen præcis, som den vil se ud hos jer."
    ),
    # dev-da: ejerleder-erik
    ("dev-da", "ejerleder-erik", "status-quo"): (
        "Du har ret, det virker i dag. Men hvad sker der, hvis jeres bogholdr bliver syg eller "
        "siger sin stilling op? Den egenltige risiko ligger ikke i selve kørslen af lønnen, men i "
        "at I er afhaengige af én enkelt person og et enkelt regnerak. Vi kan lave en prøvekørsel "
        "af lønnen ved siden af det, I har nu, så du ser forskellen uden at skulle ændre noget."
    ),
    # nb: bas-ola
    ("nb", "bas-ola", "dekning"): (
        "Se her, jeg setter telefonen i flymodsu: sjeklistene, tegningene og bildene virker helt "
        "fint uten dekning, og alt synkronisers så snart telefonen har nett igjen. La oss prøve "
        "det ute på byggeplassen, ikke i et moterom."
    ),
    # nb: hms-leder-silje
    ("nb", "hms-leder-silje", "personvern"): (
        "Mannskapslisten er noe loven krever etter byggherreforskrften, og Byggelogg lagrer ikke "
        "mer enn det som er pakrevd. Jeg sender deg databehandleravtlaen, viser deg hvordan "
        "tilgangne styres, og kan bekrefte at alle data blir lagret i Norge og EU."
    ),
    # nb: prosjektleder-kari
    ("nb", "prosjektleder-kari", "varsling"): (
        "Her er modulen for varlsing, med maler etter NS 8405 og NS 8407, frister og paminnelser "
        "til deg som prosjektleder. Bilder og dagboken fra byggeplasen knyttes direkte til "
        "varselet, så dokumentasjonen ligger klar før bygherren rekker å spørre."
    ),
    # sv: ekonomichef-elin
    ("sv", "ekonomichef-elin", "kvitton"): (
        "Konsulterna fotar kvitot i appen i samma ögonblick som köpet görs, och den som glommer "
        "får automatiska påminelser. Många kunder har dessutom kopplat företagets kort, så att "
        "utlägen skapas av sig själva."
    ),
    # sv: it-ansvarig-isak
    ("sv", "it-ansvarig-isak", "sakerhet"): (
        "Jag kan bekräfta att all er data lagras i våra datacneter i Sverige och i Finland. "
        "Dokumentationen om sakerheten och biträdesavtlaet får du av mig i dag, så att du slipper "
        "fraga en gång till."
    ),
    # de: einkaufsleiter-jens
    ("de", "einkaufsleiter-jens", "preis"): (
        "Lassen Sie uns zusammen die gesamten Kosten vergelichen: Bei uns stecken die Hardware, "
        "der Einabu und alle Updates schon im monatlichen Preis. Dagegen rechnen wir dann, wie "
        "viel Kraftstof Sie durch die Optimierung der Routen sparen, in der Regel zwischen acht "
        "und zwolf Prozent."
    ),
    # de: fuhrparkleiterin-sabine
    ("de", "fuhrparkleiterin-sabine", "einbau"): (
        "Pro Fahrzeug brauchen wir fur den Einbau ungefahr 45 Minuten, und das erledigen wir "
        "nachts oder am Wochende direkt bei Ihnen auf dem Hof. Keines Ihrer Fahrzuege muss dafür "
        "in eine Werkstatt."
    ),
    # fr: comptable-julien
    ("fr", "comptable-julien", "controle"): (
        "Rien ne sera comptabilise sans votre validation, et l'outil apprend à partir de chacune "
        "de vos corections. Regardez, voici le journal qui garde la trace de toutes les "
        "modifcations."
    ),
    # fr: daf-claire
    ("fr", "daf-claire", "prix"): (
        "Regardons ce que vous coûte aujourd'hui une facture traitée manuelement : c'est souvent "
        "au-delà de dix euros. Ajoutez-y ce que vous gagnez en tresorerie quand les relances "
        "partent automatiquemnt. L'abonnement, lui, se calcule sur votre volume de facutres, et "
        "non sur le nombre d'utilisateurs."
    ),
}

GENERIC_WEAK: dict[str, list[str]] = {
    "en": [
        "ok",
        "I don't know.",
        "Let me get back to you on that.",
        "We are the best solution on the market.",
        "I understand.",
        "Good point, I'll have to check with my manager.",
        "Our product is really great, you'll love it.",
        "Sure, no problem.",
    ],
    "da": [
        "ok",
        "Det ved jeg ikke.",
        "Det vender jeg tilbage til dig med.",
        "Vi er den bedste løsning på markedet.",
        "Det forstår jeg godt.",
        "Godt spørgsmål, det må jeg lige høre min chef om.",
        "Vores produkt er rigtig godt, det kommer du til at elske.",
        "Helt sikkert, det er ikke noget problem.",
    ],
    "nb": [
        "ok",
        "Det vet jeg ikke.",
        "Det kommer jeg tilbake til deg på.",
        "Vi er den beste løsningen på markedet.",
        "Jeg forstår.",
        "Godt spørsmål, det må jeg sjekke med sjefen min.",
        "Produktet vårt er veldig bra, det kommer du til å like.",
        "Helt klart, det er ikke noe problem.",
    ],
    "sv": [
        "ok",
        "Det vet jag inte.",
        "Det återkommer jag till dig om.",
        "Vi är den bästa lösningen på marknaden.",
        "Jag förstår.",
        "Bra fråga, det får jag kolla med min chef.",
        "Vår produkt är riktigt bra, du kommer att älska den.",
        "Absolut, det är inga problem.",
    ],
    "de": [
        "ok",
        "Das weiß ich nicht.",
        "Da melde ich mich noch mal bei Ihnen.",
        "Wir sind die beste Lösung auf dem Markt.",
        "Das verstehe ich.",
        "Gute Frage, das muss ich mit meinem Chef klären.",
        "Unser Produkt ist wirklich super, Sie werden begeistert sein.",
        "Klar, kein Problem.",
    ],
    "fr": [
        "ok",
        "Je ne sais pas.",
        "Je reviens vers vous là-dessus.",
        "Nous sommes la meilleure solution du marché.",
        "Je comprends.",
        "Bonne question, je dois vérifier avec mon responsable.",
        "Notre produit est vraiment génial, vous allez l'adorer.",
        "Bien sûr, aucun problème.",
    ],
}
