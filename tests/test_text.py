from dvk_xl.core.text import canonical_choice, clean, file_slug, fold, similarity_key, unaccent

FIELDS = ["Kinh tế", "Văn hóa - xã hội", "Quốc phòng - an ninh, dân tộc - tôn giáo"]


def test_old_and_new_tone_placement_fold_to_the_same_key():
    assert fold("Văn hoá - xã hội") == fold("Văn hóa - xã hội")
    assert fold("Thuỷ") == fold("Thủy")
    assert canonical_choice("văn hoá–xã hội", FIELDS) == "Văn hóa - xã hội"


def test_decomposed_unicode_and_spaces_are_normalised():
    decomposed = "Kinh te\u0302\u0301"
    assert clean("  Kinh   tế ") == "Kinh tế"
    assert canonical_choice(decomposed, FIELDS) == "Kinh tế"


def test_missing_accents_are_not_silently_accepted():
    assert canonical_choice("Kinh te", FIELDS) is None


def test_file_names_without_accents():
    assert unaccent("Đảng ủy phường") == "Dang uy phuong"
    assert file_slug("Chi bộ Khu dân cư số 1") == "Chi_bo_Khu_dan_cu_so_1"


def test_similarity_key_ignores_filler_words_and_accents():
    assert similarity_key("Mô hình “Khu dân cư sáng - xanh - sạch”") == similarity_key("khu dan cu sang xanh sach")
