package logic

// This file gives the model's enums the words a card or the rule listing
// prints. The words are clinical English, lower case, so they read well
// inside a sentence ("distant metastasis: liver").

// String returns the administrative sex in words.
func (s Sex) String() string {
	switch s {
	case SexFemale:
		return "female"
	case SexMale:
		return "male"
	case SexOther:
		return "other"
	default:
		return "unknown sex"
	}
}

// String returns the laterality in words.
func (l Laterality) String() string {
	switch l {
	case Left:
		return "left"
	case Right:
		return "right"
	case Bilateral:
		return "bilateral"
	case Midline:
		return "midline"
	default:
		return "laterality unknown"
	}
}

// String returns the FHIR condition-clinical code ("absent" when not sent).
func (s ClinicalStatus) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusRecurrence:
		return "recurrence"
	case StatusRelapse:
		return "relapse"
	case StatusInactive:
		return "inactive"
	case StatusRemission:
		return "remission"
	case StatusResolved:
		return "resolved"
	case StatusOtherClinical:
		return "other clinical status"
	default:
		return "clinical status absent"
	}
}

// String returns the FHIR condition-ver-status code ("absent" when not sent).
func (v Verification) String() string {
	switch v {
	case VerificationConfirmed:
		return "confirmed"
	case VerificationProvisional:
		return "provisional"
	case VerificationDifferential:
		return "differential"
	case VerificationUnconfirmed:
		return "unconfirmed"
	case VerificationRefuted:
		return "refuted"
	case VerificationEnteredInError:
		return "entered-in-error"
	case VerificationOther:
		return "other verification status"
	default:
		return "verification absent"
	}
}

// String returns the anatomical site in words.
func (s Site) String() string {
	switch s {
	case SiteBone:
		return "bone"
	case SiteBoneMarrow:
		return "bone marrow"
	case SiteLiver:
		return "liver"
	case SiteLung:
		return "lung"
	case SitePleura:
		return "pleura"
	case SiteBrain:
		return "brain/CNS"
	case SiteAdrenal:
		return "adrenal"
	case SitePeritoneum:
		return "peritoneum"
	case SiteSkin:
		return "skin"
	case SiteChestWall:
		return "chest wall"
	case SiteBreast:
		return "breast"
	case SiteAxillaryNode:
		return "axillary lymph node"
	case SiteSupraclavicular:
		return "supraclavicular lymph node"
	case SiteInfraclavicular:
		return "infraclavicular lymph node"
	case SiteInternalMammary:
		return "internal mammary lymph node"
	case SiteLymphNode:
		return "lymph node (other)"
	case SiteMediastinum:
		return "mediastinum"
	case SiteOther:
		return "other site"
	default:
		return "site unknown"
	}
}

// String returns the kind of evidence behind a metastasis diagnosis.
func (e EvidenceKind) String() string {
	switch e {
	case EvidenceHistologic:
		return "histologic"
	case EvidenceCytologic:
		return "cytologic"
	case EvidencePathology:
		return "pathology"
	case EvidenceImaging:
		return "imaging"
	case EvidenceLab:
		return "laboratory"
	case EvidenceClinical:
		return "clinical"
	case EvidenceTumorMarker:
		return "tumour marker"
	default:
		return "evidence unknown"
	}
}

// String returns what a staging fact states.
func (k StagingKind) String() string {
	switch k {
	case StagingM:
		return "M category"
	case StagingN:
		return "N category"
	case StagingT:
		return "T category"
	case StagingGroup:
		return "stage group"
	default:
		return "staging"
	}
}

// String returns the marker's usual clinical name.
func (k MarkerKind) String() string {
	switch k {
	case MarkerER:
		return "ER"
	case MarkerPR:
		return "PR"
	case MarkerHER2:
		return "HER2"
	case MarkerBRCA:
		return "BRCA1/2"
	case MarkerPDL1:
		return "PD-L1"
	case MarkerHR:
		return "ER/PR (combined)"
	default:
		return "marker"
	}
}

// String returns the measurement method.
func (m Method) String() string {
	switch m {
	case MethodIHC:
		return "IHC"
	case MethodISH:
		return "ISH"
	case MethodOverall:
		return "overall interpretation"
	case MethodGenomic:
		return "genomic"
	default:
		return "method unspecified"
	}
}

// String returns the interpretation in words.
func (r Result) String() string {
	switch r {
	case Positive:
		return "positive"
	case Negative:
		return "negative"
	case Equivocal:
		return "equivocal"
	default:
		return "result unknown"
	}
}

// String returns the genomic source class.
func (o Origin) String() string {
	switch o {
	case Germline:
		return "germline"
	case Somatic:
		return "somatic"
	default:
		return "origin not recorded"
	}
}

// String returns the Cancer Disease Status value in words.
func (d DiseaseStatus) String() string {
	switch d {
	case Improved:
		return "improved"
	case Stable:
		return "stable"
	case Worsened:
		return "worsened"
	case Undetermined:
		return "undetermined"
	default:
		return "status unknown"
	}
}

// String returns the performance-status scale.
func (s PerformanceScale) String() string {
	switch s {
	case ECOG:
		return "ECOG"
	case Karnofsky:
		return "Karnofsky"
	default:
		return "performance scale unknown"
	}
}

// String returns the drug class in words.
func (c DrugClass) String() string {
	switch c {
	case DrugEndocrine:
		return "endocrine therapy"
	case DrugGnRH:
		return "GnRH agonist"
	case DrugCDK46:
		return "CDK4/6 inhibitor"
	case DrugAntiHER2:
		return "anti-HER2 therapy"
	case DrugPARP:
		return "PARP inhibitor"
	case DrugCheckpoint:
		return "immune checkpoint inhibitor"
	case DrugBoneModifying:
		return "bone-modifying agent"
	case DrugChemotherapy:
		return "chemotherapy"
	default:
		return "other drug"
	}
}

// String returns the FHIR resource type a medication fact came from.
func (r MedicationRecord) String() string {
	switch r {
	case RecordRequest:
		return "MedicationRequest"
	case RecordStatement:
		return "MedicationStatement"
	case RecordAdministration:
		return "MedicationAdministration"
	default:
		return "medication record"
	}
}

// String returns the procedure kind in words.
func (k ProcedureKind) String() string {
	switch k {
	case ProcedureBreastSurgery:
		return "breast surgery"
	case ProcedureBiopsy:
		return "biopsy"
	case ProcedureRadiotherapy:
		return "radiotherapy"
	default:
		return "other procedure"
	}
}
