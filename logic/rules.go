package logic

import "slices"

// This file is the rule table: RULES.md "Cards" row by row, in the rule
// book's order. Rules builds it afresh on every call so no caller can change
// another's table.

// Rules returns the rule table in rule-book order.
func Rules() []Rule {
	return slices.Concat(staging(), systemic(), local())
}

// one returns a single recommended suggestion with one order.
func one(label string, kind OrderKind, code OrderCode, orderLabel string) []Suggestion {
	return []Suggestion{{Label: label, Recommended: true, Orders: []Order{{Kind: kind, Code: code, Label: orderLabel}}}}
}

// staging returns the rules about the tumour board and completing the
// work-up (seed Steps 1 and 2).
func staging() []Rule {
	return []Rule{
		{
			Code:      "tumor-board",
			Title:     "Multidisciplinary tumour board",
			Summary:   "Oligometastatic breast cancer: discuss at a multidisciplinary tumour board before treatment decisions",
			Indicator: Warning,
			When:      OMBC(),
			Unless:    TumorBoardSinceMetastasis(),
			Do:        "Refer the patient to the multidisciplinary tumour board before treatment decisions. The board decides systemic therapy and whether any local treatment is offered; the prognostic factors below are context, not eligibility criteria.",
			Suggest:   one("Refer to the multidisciplinary tumour board", ServiceRequest, OrderTumorBoard, "Referral to multidisciplinary tumour board"),
			Selection: SelectAtMostOne,
			Panels:    []Panel{PanelClassification, PanelPrognosis, PanelImaging},
			Evidence: []Evidence{
				seedESMO("All patients with suspected oligometastatic disease should be discussed at a multidisciplinary tumour board before treatment decisions.", "V, B"),
				estroASTRO(),
				estroEORTC(),
			},
			Links: []Link{
				{Label: "ESMO metastatic breast cancer guideline 2021", URL: urlESMO2021},
				{Label: "ESTRO-ASTRO oligometastatic disease consensus 2020", URL: urlESTROASTRO},
			},
		},
		{
			Code:      "staging-imaging",
			Title:     "Staging imaging (PET/CT)",
			Summary:   "OMBC without recent PET/CT: confirm the extent with whole-body high-resolution imaging (FDG-PET/CT)",
			Indicator: Info,
			When:      All(OMBC(), Not(BrainMetastasis())),
			Unless:    PETWithin(),
			Do:        "Confirm the extent of disease with whole-body high-resolution imaging (FDG-PET/CT where available) before any metastasis-directed therapy.",
			Suggest:   one("Order FDG PET/CT, whole body", ServiceRequest, OrderPETCT, "FDG PET/CT, whole body"),
			Selection: SelectAtMostOne,
			Evidence: []Evidence{
				estroASTRO(),
				eortcImaging(),
				nccn("FDG-PET/CT is optional in the stage IV work-up.", ""),
				seed("Systemic imaging staging, preferably with PET scan.", "Step 2"),
			},
			Links: []Link{
				{Label: "ESTRO-ASTRO oligometastatic disease consensus 2020", URL: urlESTROASTRO},
				{Label: "EORTC imaging and breast groups OMBC consensus", URL: urlEORTCImaging},
			},
		},
		{
			Code:      "biopsy-metastasis",
			Title:     "Biopsy of a metastasis",
			Summary:   "OMBC without tissue confirmation of a metastasis: consider biopsy with ER/PR/HER2 re-testing",
			Indicator: Info,
			When:      OMBC(),
			Unless:    TissueEvidence(),
			Do:        "Consider a biopsy of an accessible metastasis to confirm metastatic breast cancer and re-test ER, PR and HER2 on it.",
			Suggest:   one("Order biopsy of a metastasis with ER/PR/HER2 re-testing", ServiceRequest, OrderMetastasisBiopsy, "Biopsy of a metastasis with ER/PR/HER2 re-testing"),
			Selection: SelectAtMostOne,
			Evidence: []Evidence{
				nccn("Biopsy the first recurrence and determine ER, PR and HER2 on the metastasis.", ""),
				seed("Biopsy confirmation of metastatic disease when appropriate.", "Step 2"),
			},
			Links: []Link{{Label: "NCCN Guidelines, Breast Cancer (v2.2015)", URL: urlNCCN}},
		},
		{
			Code:      "receptor-status",
			Title:     "Receptor status",
			Summary:   "OMBC with incomplete receptor status: complete ER, PR and HER2 testing",
			Indicator: Warning,
			When:      OMBC(),
			Unless:    ReceptorsKnown(),
			Do:        "Complete the receptor status: ER, PR and HER2, with HER2 ISH when HER2 IHC is equivocal. Systemic therapy depends on it.",
			Suggest: []Suggestion{{
				Label:       "Order the missing receptor tests",
				Recommended: true,
				Orders: []Order{
					{Kind: ServiceRequest, Code: OrderERTest, Label: "Estrogen receptor (ER) by IHC"},
					{Kind: ServiceRequest, Code: OrderPRTest, Label: "Progesterone receptor (PR) by IHC"},
					{Kind: ServiceRequest, Code: OrderHER2IHC, Label: "HER2 by IHC"},
					{Kind: ServiceRequest, Code: OrderHER2ISH, Label: "HER2 (ERBB2) by ISH"},
				},
			}},
			Selection: SelectAtMostOne,
			Keep: func(c *Case, o Order) bool {
				return slices.ContainsFunc(c.missingReceptorTests(), func(m Order) bool { return m.Code == o.Code })
			},
			Evidence: []Evidence{
				nccn("Determine ER, PR and HER2 status, on the metastasis where possible, in the stage IV work-up.", ""),
			},
			Links: []Link{{Label: "NCCN Guidelines, Breast Cancer (v2.2015)", URL: urlNCCN}},
		},
	}
}

// systemic returns the systemic-therapy and biomarker-testing rules (seed
// Step 3 "Systemic Therapy").
func systemic() []Rule {
	return []Rule{
		{
			Code:      "systemic-endocrine-cdk46",
			Title:     "Endocrine therapy with a CDK4/6 inhibitor",
			Summary:   "HR+/HER2- OMBC: first-line endocrine therapy plus a CDK4/6 inhibitor is standard (ASCO)",
			Indicator: Info,
			When:      All(OMBC(), HRPositive(), HER2Negative()),
			Unless:    All(ActiveDrug(DrugEndocrine), ActiveDrug(DrugCDK46)),
			Do:        "Consider endocrine therapy plus a CDK4/6 inhibitor (palbociclib, ribociclib or abemaciclib) as first-line therapy, unless a visceral crisis needs chemotherapy.",
			Variants: []Variant{{
				When: Male(),
				Do:   "Male patient: use tamoxifen, fulvestrant, or an aromatase inhibitor only together with a GnRH agonist; add a CDK4/6 inhibitor as in women.",
				Evidence: []Evidence{ascoMale(
					"Men with metastatic HR-positive, HER2-negative breast cancer: endocrine therapy first line unless visceral crisis (tamoxifen, an aromatase inhibitor with a GnRH agonist, or fulvestrant); a CDK4/6 inhibitor may be added as in women.",
					"Strong; FC-L")},
			}},
			Evidence: []Evidence{
				ascoHR(),
				seed("Endocrine therapy with or without a CDK4/6 inhibitor for HR+/HER2- disease.", "Step 3"),
			},
			Links: []Link{{Label: "ASCO HR+/HER2- metastatic breast cancer guideline", URL: urlASCOHR}},
		},
		{
			Code:      "systemic-anti-her2",
			Title:     "Anti-HER2 therapy",
			Summary:   "HER2-positive OMBC without active anti-HER2 therapy: consider anti-HER2 therapy",
			Indicator: Info,
			When:      All(OMBC(), HER2Positive()),
			Unless:    ActiveDrug(DrugAntiHER2),
			Do:        "Consider anti-HER2 therapy as part of systemic treatment.",
			Evidence: []Evidence{{
				Statement: "Anti-HER2 therapy if HER2-positive.",
				Source:    "Seed management algorithm, Step 3",
				Caveat:    "not checked against a retrieved HER2 guideline (EVIDENCE.md §1.3); " + seedCaveat,
				URL:       urlSeed,
			}},
		},
		{
			Code:      "systemic-parp",
			Title:     "PARP inhibitor",
			Summary:   "Germline BRCA1/2 carrier with HER2- OMBC: consider olaparib or talazoparib (ASCO)",
			Indicator: Info,
			When:      All(OMBC(), HER2Negative(), GermlineBRCAPathogenic()),
			Unless:    ActiveDrug(DrugPARP),
			Do:        "Consider a PARP inhibitor (olaparib or talazoparib) in the first to third line.",
			Evidence: []Evidence{
				ascoPARP(),
				seed("PARP inhibitors for germline BRCA mutations.", "Step 3"),
			},
			Links: []Link{{Label: "ASCO HR+/HER2- metastatic breast cancer guideline", URL: urlASCOHR}},
		},
		{
			Code:      "systemic-immunotherapy",
			Title:     "Immunotherapy for PD-L1-positive TNBC",
			Summary:   "PD-L1-positive triple-negative OMBC: consider pembrolizumab with chemotherapy",
			Indicator: Info,
			When:      All(OMBC(), TripleNegative(), PDL1Positive()),
			Unless:    ActiveDrug(DrugCheckpoint),
			Do:        "Consider pembrolizumab with chemotherapy. Atezolizumab's US indication in triple-negative breast cancer was withdrawn in 2021; use it only where it is approved.",
			Evidence: []Evidence{
				ascoBiomarkers("Test PD-L1 in candidates for an immune checkpoint inhibitor: pembrolizumab with chemotherapy for PD-L1-positive metastatic TNBC."),
				atezolizumabWithdrawn(),
				seed("Immunotherapy combinations in triple-negative disease by PD-L1 status.", "Step 3"),
			},
			Links: []Link{{Label: "ASCO biomarkers guideline for metastatic breast cancer", URL: urlASCOBiomarkers}},
		},
		{
			Code:      "germline-brca-testing",
			Title:     "Germline BRCA1/2 testing",
			Summary:   "OMBC without a BRCA1/2 result: offer germline BRCA1/2 testing",
			Indicator: Info,
			When:      Any(All(OMBC(), HER2Negative()), All(OMBC(), Male())),
			Unless:    BRCAResult(),
			Do:        "Offer germline BRCA1/2 testing: a pathogenic variant makes a PARP inhibitor an option.",
			Variants: []Variant{{
				When:     Male(),
				Do:       "Male patient: germline genetic testing is offered to every man with breast cancer.",
				Evidence: []Evidence{ascoMale("Offer germline genetic testing to all men with breast cancer.", "")},
			}},
			Suggest:   one("Order germline BRCA1/2 testing", ServiceRequest, OrderGermlineBRCA, "Germline BRCA1/2 testing"),
			Selection: SelectAtMostOne,
			Evidence: []Evidence{
				ascoBiomarkers("Test germline BRCA1/2 in candidates for a PARP inhibitor (HER2-negative metastatic breast cancer)."),
			},
			Links: []Link{{Label: "ASCO biomarkers guideline for metastatic breast cancer", URL: urlASCOBiomarkers}},
		},
		{
			Code:      "pdl1-testing",
			Title:     "PD-L1 testing",
			Summary:   "Triple-negative OMBC without a PD-L1 result: test PD-L1 to guide immunotherapy",
			Indicator: Info,
			When:      All(OMBC(), TripleNegative()),
			Unless:    PDL1Result(),
			Do:        "Test PD-L1 (tumour and immune cells, 22C3) to select pembrolizumab with chemotherapy.",
			Suggest:   one("Order PD-L1 IHC (22C3)", ServiceRequest, OrderPDL1, "PD-L1 IHC (22C3)"),
			Selection: SelectAtMostOne,
			Evidence: []Evidence{
				ascoBiomarkers("Test PD-L1 in patients with metastatic TNBC who are candidates for an immune checkpoint inhibitor."),
			},
			Links: []Link{{Label: "ASCO biomarkers guideline for metastatic breast cancer", URL: urlASCOBiomarkers}},
		},
	}
}

// local returns the bone, primary-tumour, response, metastasis-directed,
// brain and data-quality rules.
func local() []Rule {
	return []Rule{
		{
			Code:      "bone-modifying-agent",
			Title:     "Bone-modifying agent",
			Summary:   "Bone metastasis without a bone-modifying agent: start denosumab or zoledronic acid",
			Indicator: Warning,
			When:      BoneMetastasis(),
			Unless:    ActiveBoneAgentForMetastasis(),
			Do:        "Start a bone-modifying agent: denosumab 120 mg SC every 4 weeks or zoledronic acid 4 mg IV every 12 weeks; neither is preferred. Before the first dose: dental examination; give calcium and vitamin D; check renal function (creatinine before each IV bisphosphonate dose; watch for hypocalcaemia with denosumab when creatinine clearance is under 30 mL/min).",
			Variants: []Variant{{
				When: ActiveBoneAgentOsteoporosisDose(),
				Do:   "A bone-modifying agent is active only at an osteoporosis dose (such as Prolia or Reclast): review the dose, which does not treat bone metastases.",
			}},
			Suggest: []Suggestion{
				{Label: "Denosumab 120 mg SC every 4 weeks", Orders: []Order{{Kind: MedicationRequest, Code: OrderDenosumab, Label: "Denosumab 120 mg SC every 4 weeks"}}},
				{Label: "Zoledronic acid 4 mg IV every 12 weeks", Orders: []Order{{Kind: MedicationRequest, Code: OrderZoledronicAcid, Label: "Zoledronic acid 4 mg IV every 12 weeks"}}},
			},
			Selection: SelectAtMostOne,
			Evidence: []Evidence{
				ascoBMA(),
				esmoBone(),
				nccn("Denosumab, zoledronic acid or pamidronate with calcium and vitamin D for bone metastases when expected survival is 3 months or more and renal function is adequate, after a dental examination.", "category 1"),
				{
					Statement: "Denosumab delayed the first skeletal-related event longer than zoledronic acid in a head-to-head trial, with no survival difference.",
					Source:    "Seed management algorithm (Bone Metastases), as worded by RULES.md",
					Caveat:    "ASCO does not recommend one agent over another; " + seedCaveat,
					URL:       urlSeed,
				},
			},
			Links: []Link{
				{Label: "ASCO-CCO bone-modifying agents guideline", URL: urlASCOBMA},
				{Label: "ESMO Bone Health guideline 2020", URL: urlESMOBone},
			},
		},
		{
			Code:      "primary-tumor-surgery",
			Title:     "Surgery of the intact primary",
			Summary:   "De novo metastatic disease with the primary in place: surgery of the primary is not routine",
			Indicator: Info,
			When:      DeNovo(),
			Unless:    BreastSurgery(),
			Do:        "Locoregional treatment of the intact primary is not routinely recommended for survival; discuss it at the tumour board (it reduces local progression).",
			Variants: []Variant{{
				When:     All(BoneOnly(), HRPositive(), HER2Negative(), AgeUnder(55), LatestStatus(Improved)),
				Do:       "This patient matches MF07-01's unplanned subgroups (bone-only, HR+/HER2-, under 55, responding): those analyses suggested benefit from locoregional treatment. They are hypothesis-generating; discuss at the tumour board.",
				Evidence: []Evidence{mf0701()},
			}},
			Evidence: []Evidence{
				seedESMO("Locoregional treatment of the intact primary tumour in asymptomatic stage IV disease does not improve overall survival and is not routinely recommended.", "II, D"),
				e2108("Early surgery and radiotherapy to the primary did not improve survival (3-year OS 67.9% vs 68.4%, HR 1.11); it reduced locoregional progression (16.3% with versus 39.8% without early locoregional therapy)."),
				tata(),
				tbcrc013(),
				pooledRCTs(),
			},
			Links: []Link{
				{Label: "ECOG-ACRIN E2108", URL: urlE2108},
				{Label: "Randomized trials meta-analysis 2023", URL: urlPooledRCTs},
			},
		},
		{
			Code:      "document-response",
			Title:     "Document response to systemic therapy",
			Summary:   "OMBC: document response to systemic therapy before any local ablative therapy",
			Indicator: Info,
			When:      All(OMBC(), Not(BrainMetastasis())),
			Unless:    ResponseDocumented(),
			Do:        "Record a Cancer Disease Status (LOINC 97509-4) after the start of systemic therapy: response should be documented before local ablative therapy is discussed.",
			Evidence: []Evidence{
				seed("Document tumour response with systemic treatment before suggesting local ablative therapy.", "Step 3"),
				e2108("E2108 randomized patients only after 4 to 8 months of systemic therapy without progression."),
				nrgEntry(),
			},
			Links: []Link{{Label: "NRG-BR002 (ClinicalTrials.gov)", URL: urlNRGBR002}},
		},
		{
			Code:      "metastasis-directed-therapy",
			Title:     "Metastasis-directed therapy",
			Summary:   "OMBC responding to therapy: metastasis-directed therapy is unproven; decide at tumour board or in a trial",
			Indicator: Info,
			When:      All(OMBC(), Not(BrainMetastasis()), RespondingOnTherapy()),
			Unless:    Any(LatestStatus(Worsened), BrainMetastasis()),
			Do: "Metastasis-directed therapy (surgery, SBRT, image-guided ablation, selective internal radiotherapy for liver metastases) may be offered individually at the tumour board or within a trial: randomized OMBC trials showed no progression-free or overall survival benefit.\n\n" +
				"Trial options: SABR-COMET-3 (1 to 3 metastases), SABR-COMET-10 (4 to 10 metastases), TAORMINA (1 to 5 metastases in up to 2 organs), LARA (ER/PR-positive OMBC after at least 6 months of controlled systemic therapy).",
			Evidence: []Evidence{
				nrgBR002(),
				extend(),
				seedESMO("Local ablative therapy to all metastatic lesions may be offered on an individual basis; whether it improves overall survival is unknown.", "II, C"),
			},
			Links: []Link{
				{Label: "NRG-BR002 (ClinicalTrials.gov)", URL: urlNRGBR002},
				{Label: "EXTEND (ClinicalTrials.gov)", URL: urlEXTEND},
				{Label: "SABR-COMET-3 (ClinicalTrials.gov)", URL: urlSABRCOMET3},
				{Label: "SABR-COMET-10 (ClinicalTrials.gov)", URL: urlSABRCOMET10},
				{Label: "TAORMINA", URL: urlTAORMINA},
				{Label: "LARA (ClinicalTrials.gov)", URL: urlLARA},
			},
		},
		{
			Code:      "brain-metastasis",
			Title:     "Brain metastasis",
			Summary:   "Brain metastasis: brain MRI and CNS-specific local therapy; OMBC trial evidence excludes brain disease",
			Indicator: Warning,
			When:      BrainMetastasis(),
			Do:        "Plan brain MRI and CNS-specific local therapy with the tumour board. The oligometastatic metastasis-directed therapy evidence does not apply: NRG-BR002 excluded brain metastases.",
			Evidence: []Evidence{
				nrgBR002(),
				nccn("Brain MRI when CNS symptoms are present in the stage IV work-up.", ""),
				estroASTRO(),
			},
			Links: []Link{{Label: "NRG-BR002 (ClinicalTrials.gov)", URL: urlNRGBR002}},
		},
		{
			Code:      "data-quality",
			Title:     "Data quality: metastatic extent",
			Summary:   "Metastatic disease recorded but its extent is unclear: record sites and lesions so it can be classified",
			Indicator: Warning,
			When:      Any(ExtentUnknown(), UnplacedDisease()),
			Do:        "Record an mCODE Secondary Cancer Condition for each metastatic site and an mCODE Tumor BodyStructure for each lesion; without them the service cannot tell oligometastatic from polymetastatic disease, and the OMBC cards stay silent.",
			Panels:    []Panel{PanelRecording, PanelSkipped},
			Evidence:  []Evidence{mcode()},
			Links:     []Link{{Label: "mCODE implementation guide", URL: urlMCODE}},
		},
	}
}
