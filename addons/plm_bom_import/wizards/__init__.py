from . import plm_bom_release_reject
