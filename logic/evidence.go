package logic

// This file holds the evidence statements the cards quote, worded as
// EVIDENCE.md §1 allows ("Card wording" columns). A level or grade appears
// only where the source states one; the seed-only ESMO 2021 grades carry
// seedGradeNote (EVIDENCE.md §0.1: the seed is an AI-generated summary and
// its grade labels could not be checked against the guideline).

// seedGradeNote qualifies every grade whose only source is the seed.
const seedGradeNote = "grade as cited by the seed's summary; not verified against the guideline text"

// seedCaveat qualifies every statement taken from the seed.
const seedCaveat = "the seed is an AI-generated summary pending human review (droracle.ai); check against the guideline."

// Evidence and registry addresses, all from EVIDENCE.md §7 except the ESMO
// 2021 DOI and the clinicaltrials.gov study pages of the NCT numbers it lists.
const (
	urlSeed           = "https://www.droracle.ai/articles/475603/what-is-the-recommended-management-approach-for-oligometastatic-breast"
	urlESMO2021       = "https://doi.org/10.1016/j.annonc.2021.09.019"
	urlESTROASTRO     = "https://repub.eur.nl/pub/130575"
	urlESTROEORTC     = "https://www.esmo.org/oncology-news/oligometastatic-disease-classification"
	urlEORTCImaging   = "https://researchinformation.amsterdamumc.org/en/publications/designing-clinical-trials-based-on-modern-imaging-and-metastasis-"
	urlNCCN           = "https://cld.bz/ob7J06r/29/"
	urlASCOBMA        = "https://www.guidelinecentral.com/guideline/7420/"
	urlESMOBone       = "https://www.univadis.co.uk/viewarticle/esmo-guidelines-on-the-management-of-bone-health-in-patients-with-cancer-727483?s1=news"
	urlASCOHR         = "https://pmc.ncbi.nlm.nih.gov/articles/PMC8659999"
	urlASCOBiomarkers = "https://www.guidelinecentral.com/guideline/1890548/pocket-guide/1890554/"
	urlASCOMale       = "https://eguideline.guidelinecentral.com/i/1475473-management-of-male-breast-cancer/2"
	urlAtezolizumab   = "https://jnccn360.org/breast/news/manufacturer-withdraws-atezolizumab-s-u-s-indication-in-triple-negative-breast-cancer"
	urlNRGResults     = "https://onclive.com/view/results-of-nrg-br002-trial-point-to-need-for-additional-research-of-local-therapy-for-oligometastatic-breast-cancer"
	urlEXTENDBreast   = "https://digitalcommons.library.tmc.edu/uthgsbs_docs/3276/"
	urlE2108          = "https://pmc.ncbi.nlm.nih.gov/articles/PMC8937009"
	urlTata           = "https://www.cancertherapyadvisor.com/home/cancer-topics/breast-cancer/locoregional-treatment-of-primary-tumor-in-metastatic-breast-cancer-not-beneficial/"
	urlTBCRC013       = "https://www.ablesci.com/scholar/paper?id=E6zJqYe2E"
	urlPooledRCTs     = "https://www.oaepublish.com/articles/2394-4722.2023.93"
	urlMF0701         = "https://www.ncbi.nlm.nih.gov/pubmed/29777404"
	urlTAORMINA       = "https://www.irrog.com/breast-trials/stereotactic-ablative-radiotherapy-for-oligometastatic-breast-cancer-taormina"
	urlMCODE          = "https://hl7.org/fhir/us/mcode/"
	urlNRGBR002       = "https://clinicaltrials.gov/study/NCT02364557"
	urlEXTEND         = "https://clinicaltrials.gov/study/NCT03599765"
	urlSABRCOMET3     = "https://clinicaltrials.gov/study/NCT03862911"
	urlSABRCOMET10    = "https://clinicaltrials.gov/study/NCT03721341"
	urlLARA           = "https://clinicaltrials.gov/study/NCT04698252"
)

func seed(statement, step string) Evidence {
	return Evidence{
		Statement: statement,
		Source:    "Seed management algorithm, " + step,
		Caveat:    seedCaveat,
		URL:       urlSeed,
	}
}

func seedESMO(statement, grade string) Evidence {
	return Evidence{
		Statement: statement,
		Source:    "ESMO metastatic breast cancer guideline 2021 (Gennari et al., Ann Oncol 2021) as cited by the seed",
		Grade:     grade + " (" + seedGradeNote + ")",
		Caveat:    "a clinician must check this statement and grade against the guideline text.",
		URL:       urlESMO2021,
	}
}

func estroASTRO() Evidence {
	return Evidence{
		Statement: "Oligometastatic disease is 1 to 5 metastatic lesions, all amenable to local treatment; no data support a maximum number of organs, and it is independent of the disease-free interval. High-resolution imaging is crucial, including brain imaging when indicated.",
		Source:    "ESTRO-ASTRO consensus (Lievens et al., Radiother Oncol 2020)",
		Caveat:    "expert consensus (Delphi); no level of evidence stated.",
		URL:       urlESTROASTRO,
	}
}

func estroEORTC() Evidence {
	return Evidence{
		Statement: "Record the oligometastatic class: de novo (synchronous) versus metachronous (oligorecurrence), and induced after systemic therapy.",
		Source:    "ESTRO-EORTC classification (Guckenberger et al., Lancet Oncol 2020)",
		Caveat:    "expert consensus (Delphi); no level of evidence stated.",
		URL:       urlESTROEORTC,
	}
}

func eortcImaging() Evidence {
	return Evidence{
		Statement: "Use modern whole-body imaging to diagnose oligometastatic breast cancer.",
		Source:    "EORTC Imaging and Breast groups consensus (Pasquier et al.)",
		Caveat:    "expert consensus (Delphi); no level of evidence stated.",
		URL:       urlEORTCImaging,
	}
}

func nccn(statement, grade string) Evidence {
	return Evidence{
		Statement: statement,
		Source:    "NCCN Guidelines, Breast Cancer",
		Grade:     grade,
		Caveat:    "verified against older versions (v2.2015 and later work-up text); the current version's text was not retrieved.",
		URL:       urlNCCN,
	}
}

func ascoBMA() Evidence {
	return Evidence{
		Statement: "Patients with breast cancer and bone metastases should receive a bone-modifying agent (denosumab 120 mg SC every 4 weeks, or zoledronic acid 4 mg IV every 12 weeks or every 3 to 4 weeks); one agent is not recommended over another. Dental examination first.",
		Source:    "ASCO-CCO guideline on bone-modifying agents in metastatic breast cancer (Van Poznak et al., JCO 2017; updated 2024)",
		Grade:     "Strong; EB-H",
		URL:       urlASCOBMA,
	}
}

func esmoBone() Evidence {
	return Evidence{
		Statement: "Start zoledronate or denosumab in patients with breast cancer and bone metastases, whether symptomatic or not.",
		Source:    "ESMO Bone Health guideline 2020 (Coleman et al.)",
		Grade:     "[I, A]",
		URL:       urlESMOBone,
	}
}

func ascoHR() Evidence {
	return Evidence{
		Statement: "HR-positive, HER2-negative metastatic breast cancer: endocrine therapy plus a CDK4/6 inhibitor in the first line (an aromatase inhibitor or fulvestrant as partner); later lines chosen by ESR1, PIK3CA, AKT1 and PTEN testing.",
		Source:    "ASCO guideline, HR+/HER2- metastatic breast cancer (Burstein et al., JCO 2021; 2024 rapid update)",
		URL:       urlASCOHR,
	}
}

func ascoPARP() Evidence {
	return Evidence{
		Statement: "Germline BRCA1/2 carriers with HER2-negative metastatic breast cancer: offer olaparib or talazoparib (first to third line).",
		Source:    "ASCO guideline, HR+/HER2- metastatic breast cancer (Burstein et al., JCO 2021)",
		URL:       urlASCOHR,
	}
}

func ascoBiomarkers(statement string) Evidence {
	return Evidence{
		Statement: statement,
		Source:    "ASCO guideline, biomarkers for systemic therapy in metastatic breast cancer (Henry et al., JCO 2022; rapid updates 2023 and 2024)",
		URL:       urlASCOBiomarkers,
	}
}

func ascoMale(statement, grade string) Evidence {
	return Evidence{
		Statement: statement,
		Source:    "ASCO guideline, management of male breast cancer (Hassett et al., JCO 2020)",
		Grade:     grade,
		URL:       urlASCOMale,
	}
}

func atezolizumabWithdrawn() Evidence {
	return Evidence{
		Statement: "The US accelerated approval of atezolizumab with nab-paclitaxel for PD-L1-positive metastatic TNBC was voluntarily withdrawn on 27 August 2021 (the EU approval is unaffected); name pembrolizumab with chemotherapy.",
		Source:    "Manufacturer's withdrawal of the US TNBC indication (JNCCN 360, 2021)",
		URL:       urlAtezolizumab,
	}
}

func nrgBR002() Evidence {
	return Evidence{
		Statement: "In the randomized NRG-BR002 trial (up to 4 extracranial metastases), adding SBRT or surgery to standard systemic therapy did not improve progression-free survival (median 23 vs 19.5 months, HR 0.92) or overall survival (36-month OS 71.8% vs 68.9%); it reduced in-field progression. Brain metastases were excluded.",
		Source:    "NRG-BR002 (NCT02364557), phase IIR, reported at ASCO 2022",
		Caveat:    "full paper not retrieved; figures from conference reports.",
		URL:       urlNRGResults,
	}
}

func extend() Evidence {
	return Evidence{
		Statement: "EXTEND breast cohort (up to 5 metastases): no progression-free survival benefit from metastasis-directed therapy (15.6 vs 24.9 months, HR 0.91, p = .86); no overall survival or quality-of-life difference.",
		Source:    "EXTEND (NCT03599765), phase II basket trial, breast cohort",
		Caveat:    "small cohort (43 patients); the breast basket was inconclusive.",
		URL:       urlEXTENDBreast,
	}
}

func e2108(statement string) Evidence {
	return Evidence{
		Statement: statement,
		Source:    "ECOG-ACRIN E2108 (randomized; de novo stage IV with intact primary)",
		URL:       urlE2108,
	}
}

func nrgEntry() Evidence {
	return Evidence{
		Statement: "NRG-BR002 required no progression on up to 12 months of first-line systemic therapy before randomization.",
		Source:    "NRG-BR002 (NCT02364557) eligibility",
		URL:       urlNRGBR002,
	}
}

func tata() Evidence {
	return Evidence{
		Statement: "Locoregional treatment of the primary in de novo metastatic breast cancer responding to front-line chemotherapy did not improve overall survival (median 19.2 vs 20.5 months, HR 1.04).",
		Source:    "Tata Memorial randomized trial (Badwe et al., Lancet Oncol 2015)",
		URL:       urlTata,
	}
}

func tbcrc013() Evidence {
	return Evidence{
		Statement: "Among patients with an intact primary who responded to systemic therapy, elective surgery did not improve 2-year overall survival.",
		Source:    "TBCRC 013 prospective registry",
		Caveat:    "registry, not randomized.",
		URL:       urlTBCRC013,
	}
}

func pooledRCTs() Evidence {
	return Evidence{
		Statement: "Four randomized trials pooled: primary tumour resection versus none, HR 1.03 (0.67 to 1.58) for overall survival; the benefit seen in observational studies (HR 0.66) reflects selection bias.",
		Source:    "Meta-analysis of randomized trials (2023)",
		URL:       urlPooledRCTs,
	}
}

func mf0701() Evidence {
	return Evidence{
		Statement: "One randomized trial (MF07-01, upfront locoregional treatment) reported an overall survival benefit (HR for death 0.66), strongest in unplanned subgroups: ER/PR-positive, HER2-negative, age under 55, solitary bone-only disease. Hypothesis-generating; discuss at the tumour board.",
		Source:    "MF07-01 (Soran et al.), phase III",
		Caveat:    "the subgroup analyses were not planned; other randomized trials (Tata Memorial, E2108) were negative.",
		URL:       urlMF0701,
	}
}

func mcode() Evidence {
	return Evidence{
		Statement: "A Secondary Cancer Condition records one metastatic site, not a number of lesions; each lesion is a Tumor BodyStructure. Without them the lesion count, and so OMBC, cannot be determined.",
		Source:    "mCODE STU4 (HL7 FHIR minimal Common Oncology Data Elements)",
		URL:       urlMCODE,
	}
}
