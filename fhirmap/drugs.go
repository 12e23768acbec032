package fhirmap

import (
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/logic"
)

// drug is one ingredient the rules reason about.
type drug struct {
	name  string
	class logic.DrugClass
	osteo bool // an osteoporosis-dose product (Prolia, Reclast)
}

// rxnormDrugs maps an RxNorm code to its ingredients: the ingredient (IN),
// brand (BN) and other codes of CODES.md §3, and the clinical-drug (SCD)
// codes Synthea writes (MODULE.md §2d). Unknown codes, such as Synthea's
// placeholder "1234", return nothing and fall back to the name.
func rxnormDrugs(code string) []drug {
	one := func(name string, class logic.DrugClass) []drug { return []drug{{name: name, class: class}} }
	switch code {
	case "10324", "198240":
		return one("tamoxifen", logic.DrugEndocrine)
	case "72965", "203769", "200064":
		return one("letrozole", logic.DrugEndocrine)
	case "84857", "262485", "199224":
		return one("anastrozole", logic.DrugEndocrine)
	case "258494", "262105", "310261":
		return one("exemestane", logic.DrugEndocrine)
	case "282357", "203870", "727762":
		return one("fulvestrant", logic.DrugEndocrine)
	case "50610":
		return one("goserelin", logic.DrugGnRH)
	case "42375":
		return one("leuprolide", logic.DrugGnRH)
	case "1601374", "1601380":
		return one("palbociclib", logic.DrugCDK46)
	case "1873916", "1873983":
		return one("ribociclib", logic.DrugCDK46)
	case "1923053", "1923054", "1923055", "1923056", "1923057", "1923058": // Kisqali Femara Co-Pack
		return []drug{{name: "ribociclib", class: logic.DrugCDK46}, {name: "letrozole", class: logic.DrugEndocrine}}
	case "1946825", "1946840":
		return one("abemaciclib", logic.DrugCDK46)
	case "224905", "101306", "2119711", "2119714":
		return one("trastuzumab", logic.DrugAntiHER2)
	case "1298944", "1298949":
		return one("pertuzumab", logic.DrugAntiHER2)
	case "1371041", "1371046", "1658084":
		return one("ado-trastuzumab emtansine", logic.DrugAntiHER2)
	case "2267574", "2267582", "2267577":
		return one("trastuzumab deruxtecan", logic.DrugAntiHER2)
	case "2361285":
		return one("tucatinib", logic.DrugAntiHER2)
	case "480167", "659616", "672149":
		return one("lapatinib", logic.DrugAntiHER2)
	case "1940643", "1940649", "1940648":
		return one("neratinib", logic.DrugAntiHER2)
	case "1597582":
		return one("olaparib", logic.DrugPARP)
	case "2099704":
		return one("talazoparib", logic.DrugPARP)
	case "1547545":
		return one("pembrolizumab", logic.DrugCheckpoint)
	case "1792776":
		return one("atezolizumab", logic.DrugCheckpoint)
	case "993449", "1046399":
		return one("denosumab", logic.DrugBoneModifying)
	case "993453", "993452": // Prolia; Synthea's 60 MG/ML syringe is the same 60 mg osteoporosis strength (MODULE.md §2d)
		return []drug{{name: "denosumab", class: logic.DrugBoneModifying, osteo: true}}
	case "77655", "575698", "1114085":
		return one("zoledronic acid", logic.DrugBoneModifying)
	case "705873": // Reclast, the osteoporosis product
		return []drug{{name: "zoledronic acid", class: logic.DrugBoneModifying, osteo: true}}
	case "1790099":
		return one("doxorubicin", logic.DrugChemotherapy)
	case "1732186":
		return one("epirubicin", logic.DrugChemotherapy)
	case "583214":
		return one("paclitaxel", logic.DrugChemotherapy)
	case "1734919":
		return one("cyclophosphamide", logic.DrugChemotherapy)
	case "597195":
		return one("carboplatin", logic.DrugChemotherapy)
	case "1791701":
		return one("fluorouracil", logic.DrugChemotherapy)
	}
	return nil
}

// drugName is one name searched in display and text, lower case. Names are
// not codes, so matching them invents no code (issue 3: "or by name in
// text"); brand names are included because EHRs send them.
type drugName struct {
	needle string
	drug   drug
}

// drugNames returns the names in match order: the trastuzumab conjugates
// come before plain trastuzumab, which they contain.
func drugNames() []drugName {
	n := func(needle, name string, class logic.DrugClass) drugName {
		return drugName{needle: needle, drug: drug{name: name, class: class}}
	}
	osteo := func(needle, name string) drugName {
		return drugName{needle: needle, drug: drug{name: name, class: logic.DrugBoneModifying, osteo: true}}
	}
	return []drugName{
		n("tamoxifen", "tamoxifen", logic.DrugEndocrine),
		n("letrozole", "letrozole", logic.DrugEndocrine),
		n("femara", "letrozole", logic.DrugEndocrine),
		n("anastrozole", "anastrozole", logic.DrugEndocrine),
		n("arimidex", "anastrozole", logic.DrugEndocrine),
		n("exemestane", "exemestane", logic.DrugEndocrine),
		n("aromasin", "exemestane", logic.DrugEndocrine),
		n("fulvestrant", "fulvestrant", logic.DrugEndocrine),
		n("faslodex", "fulvestrant", logic.DrugEndocrine),
		n("goserelin", "goserelin", logic.DrugGnRH),
		n("zoladex", "goserelin", logic.DrugGnRH),
		n("leuprolide", "leuprolide", logic.DrugGnRH),
		n("leuprorelin", "leuprolide", logic.DrugGnRH),
		n("palbociclib", "palbociclib", logic.DrugCDK46),
		n("ibrance", "palbociclib", logic.DrugCDK46),
		n("ribociclib", "ribociclib", logic.DrugCDK46),
		n("kisqali", "ribociclib", logic.DrugCDK46),
		n("abemaciclib", "abemaciclib", logic.DrugCDK46),
		n("verzenio", "abemaciclib", logic.DrugCDK46),
		n("trastuzumab emtansine", "ado-trastuzumab emtansine", logic.DrugAntiHER2),
		n("kadcyla", "ado-trastuzumab emtansine", logic.DrugAntiHER2),
		n("trastuzumab deruxtecan", "trastuzumab deruxtecan", logic.DrugAntiHER2),
		n("enhertu", "trastuzumab deruxtecan", logic.DrugAntiHER2),
		n("trastuzumab", "trastuzumab", logic.DrugAntiHER2),
		n("herceptin", "trastuzumab", logic.DrugAntiHER2),
		n("pertuzumab", "pertuzumab", logic.DrugAntiHER2),
		n("perjeta", "pertuzumab", logic.DrugAntiHER2),
		n("tucatinib", "tucatinib", logic.DrugAntiHER2),
		n("lapatinib", "lapatinib", logic.DrugAntiHER2),
		n("tykerb", "lapatinib", logic.DrugAntiHER2),
		n("neratinib", "neratinib", logic.DrugAntiHER2),
		n("nerlynx", "neratinib", logic.DrugAntiHER2),
		n("olaparib", "olaparib", logic.DrugPARP),
		n("lynparza", "olaparib", logic.DrugPARP),
		n("talazoparib", "talazoparib", logic.DrugPARP),
		n("talzenna", "talazoparib", logic.DrugPARP),
		n("pembrolizumab", "pembrolizumab", logic.DrugCheckpoint),
		n("keytruda", "pembrolizumab", logic.DrugCheckpoint),
		n("atezolizumab", "atezolizumab", logic.DrugCheckpoint),
		n("tecentriq", "atezolizumab", logic.DrugCheckpoint),
		osteo("prolia", "denosumab"),
		n("denosumab", "denosumab", logic.DrugBoneModifying),
		n("xgeva", "denosumab", logic.DrugBoneModifying),
		osteo("reclast", "zoledronic acid"),
		n("zoledronic acid", "zoledronic acid", logic.DrugBoneModifying),
		n("zoledronate", "zoledronic acid", logic.DrugBoneModifying),
		n("zometa", "zoledronic acid", logic.DrugBoneModifying),
		n("epirubicin", "epirubicin", logic.DrugChemotherapy),
		n("doxorubicin", "doxorubicin", logic.DrugChemotherapy),
		n("cyclophosphamide", "cyclophosphamide", logic.DrugChemotherapy),
		n("fluorouracil", "fluorouracil", logic.DrugChemotherapy),
		n("carboplatin", "carboplatin", logic.DrugChemotherapy),
		n("cisplatin", "cisplatin", logic.DrugChemotherapy),
		n("paclitaxel", "paclitaxel", logic.DrugChemotherapy),
		n("docetaxel", "docetaxel", logic.DrugChemotherapy),
		n("capecitabine", "capecitabine", logic.DrugChemotherapy),
		n("eribulin", "eribulin", logic.DrugChemotherapy),
		n("gemcitabine", "gemcitabine", logic.DrugChemotherapy),
		n("vinorelbine", "vinorelbine", logic.DrugChemotherapy),
		n("methotrexate", "methotrexate", logic.DrugChemotherapy),
	}
}

// drugSet collects the ingredients of one medication, one entry per
// ingredient (osteoporosis dose wins when any source says so).
type drugSet struct {
	list []drug
	code logic.Code
}

func (s *drugSet) add(d drug, code logic.Code) {
	for i := range s.list {
		if s.list[i].name == d.name {
			s.list[i].osteo = s.list[i].osteo || d.osteo
			return
		}
	}
	if len(s.list) == 0 {
		s.code = code
	}
	s.list = append(s.list, d)
}

// recognise finds the drugs of the given concepts: RxNorm codes first, then
// names in text and displays when no code is known.
func recognise(names []drugName, concepts ...*fhir.CodeableConcept) drugSet {
	var s drugSet
	for _, cc := range concepts {
		for _, c := range codings(cc) {
			if str(c.System) != systemRxNorm {
				continue
			}
			for _, d := range rxnormDrugs(strings.TrimSpace(str(c.Code))) {
				s.add(d, toCode(c))
			}
		}
	}
	if len(s.list) > 0 {
		return s
	}
	for _, cc := range concepts {
		text := conceptFold(cc)
		if text == "" {
			continue
		}
		conjugate := false
		for _, n := range names {
			if !strings.Contains(text, n.needle) {
				continue
			}
			if n.drug.name == "trastuzumab" && conjugate {
				continue
			}
			if n.drug.name == "ado-trastuzumab emtansine" || n.drug.name == "trastuzumab deruxtecan" {
				conjugate = true
			}
			s.add(n.drug, displayCode(cc))
		}
	}
	return s
}
