//! The closure questionnaire [questionnaire de clôture]: defined per tenant, answered by
//! the requester when approving a closure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::text::single_line;

/// The longest free-text answer, in characters.
pub const MAX_TEXT_ANSWER_CHARS: usize = 4000;

/// The most questions a questionnaire may ask.
pub const MAX_QUESTIONS: usize = 50;

/// The most options a choice question may offer.
pub const MAX_OPTIONS: usize = 20;

/// The questions a tenant asks when a requester approves a closure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionnaireDefinition {
    /// The questions, in the order they are shown.
    pub questions: Vec<Question>,
}

/// One question of a [`QuestionnaireDefinition`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    /// A stable key the answers are filed under (`overall`, `processing_time`...).
    pub key: String,
    /// The question as shown to the requester.
    pub label: String,
    /// Whether an answer is required to approve the closure.
    pub required: bool,
    /// What kind of answer is expected.
    pub kind: QuestionKind,
}

/// What kind of answer a [`Question`] expects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// A whole score between `min` and `max` inclusive.
    Score {
        /// The lowest score.
        #[cfg_attr(feature = "openapi", schema(maximum = 255))]
        min: u8,
        /// The highest score.
        #[cfg_attr(feature = "openapi", schema(maximum = 255))]
        max: u8,
    },
    /// One of a fixed list of options.
    Choice {
        /// The options' keys, best first.
        options: Vec<String>,
    },
    /// A free comment.
    Text,
}

/// One answer to a [`Question`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    /// A score.
    Score(u8),
    /// An option key, or free text: which one depends on the question.
    Text(String),
}

/// The answers of one approved closure, by question key.
pub type Answers = BTreeMap<String, Answer>;

/// The satisfaction options of the vendor questionnaire, best first.
pub const SATISFACTION: [&str; 3] = ["very_satisfied", "satisfied", "dissatisfied"];

impl Default for QuestionnaireDefinition {
    /// The vendor manual's questionnaire: an overall score 0-10 (required), six criteria
    /// rated very satisfied / satisfied / dissatisfied, and a free comment.
    fn default() -> Self {
        let criterion = |key: &str, label: &str| Question {
            key: key.to_owned(),
            label: label.to_owned(),
            required: false,
            kind: QuestionKind::Choice {
                options: SATISFACTION.iter().map(|s| (*s).to_owned()).collect(),
            },
        };
        Self {
            questions: vec![
                Question {
                    key: "overall".to_owned(),
                    label: "What score between 0 and 10 would you give to how your request was handled?"
                        .to_owned(),
                    required: true,
                    kind: QuestionKind::Score { min: 0, max: 10 },
                },
                criterion("processing_time", "Processing time"),
                criterion("follow_up", "Follow-up"),
                criterion("solution", "The solution provided"),
                criterion("regulatory", "Regulatory answer"),
                criterion("technical", "Technical answer"),
                criterion("human", "Human contact"),
                Question {
                    key: "comment".to_owned(),
                    label: "Comment".to_owned(),
                    required: false,
                    kind: QuestionKind::Text,
                },
            ],
        }
    }
}

impl QuestionnaireDefinition {
    /// Checks that the definition itself is usable: at most [`MAX_QUESTIONS`]
    /// questions, unique non-empty keys, a sensible score range, between one and
    /// [`MAX_OPTIONS`] unique one-line options per choice.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.questions.len() > MAX_QUESTIONS {
            return Err(ValidationError::new(
                "questions",
                format!("at most {MAX_QUESTIONS} questions"),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let field = format!("questions[{i}]");
            single_line(&format!("{field}.key"), &q.key, 64)?;
            single_line(&format!("{field}.label"), &q.label, 500)?;
            if !seen.insert(q.key.as_str()) {
                return Err(ValidationError::new(
                    format!("{field}.key"),
                    format!("duplicate key `{}`", q.key),
                ));
            }
            match &q.kind {
                QuestionKind::Score { min, max } if min >= max => {
                    return Err(ValidationError::new(
                        format!("{field}.kind"),
                        "min must be below max",
                    ));
                }
                QuestionKind::Choice { options } if options.is_empty() => {
                    return Err(ValidationError::new(
                        format!("{field}.kind"),
                        "a choice needs at least one option",
                    ));
                }
                QuestionKind::Choice { options } if options.len() > MAX_OPTIONS => {
                    return Err(ValidationError::new(
                        format!("{field}.kind"),
                        format!("at most {MAX_OPTIONS} options"),
                    ));
                }
                QuestionKind::Choice { options } => {
                    let mut keys = std::collections::BTreeSet::new();
                    for (j, option) in options.iter().enumerate() {
                        let option_field = format!("{field}.kind.options[{j}]");
                        single_line(&option_field, option, 64)?;
                        if !keys.insert(option.as_str()) {
                            return Err(ValidationError::coded(
                                option_field,
                                crate::error::ReasonCode::Duplicate,
                                "duplicate option",
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Validates `answers` against this definition: every required question answered,
    /// every answer of the right kind and in range, no unknown keys. Returns the answers
    /// with free text trimmed and blank optional answers dropped.
    pub fn validate(&self, answers: &Answers) -> Result<Answers, ValidationError> {
        for key in answers.keys() {
            if !self.questions.iter().any(|q| &q.key == key) {
                return Err(ValidationError::coded(
                    format!("answers.{key}"),
                    crate::error::ReasonCode::UnknownReference,
                    "no such question",
                ));
            }
        }
        let mut clean = Answers::new();
        for q in &self.questions {
            let field = format!("answers.{}", q.key);
            let answer = match answers.get(&q.key) {
                Some(Answer::Text(t)) if t.trim().is_empty() => None,
                other => other,
            };
            let Some(answer) = answer else {
                if q.required {
                    return Err(ValidationError::coded(
                        field,
                        crate::error::ReasonCode::Required,
                        "an answer is required",
                    ));
                }
                continue;
            };
            let valid = match (&q.kind, answer) {
                (QuestionKind::Score { min, max }, Answer::Score(s)) => {
                    if s < min || s > max {
                        return Err(ValidationError::coded(
                            field,
                            crate::error::ReasonCode::OutOfRange {
                                min: i64::from(*min),
                                max: i64::from(*max),
                            },
                            format!("must be between {min} and {max}"),
                        ));
                    }
                    Answer::Score(*s)
                }
                (QuestionKind::Choice { options }, Answer::Text(t)) => {
                    if !options.iter().any(|o| o == t.trim()) {
                        return Err(ValidationError::coded(
                            field,
                            crate::error::ReasonCode::UnknownValue,
                            format!("must be one of: {}", options.join(", ")),
                        ));
                    }
                    Answer::Text(t.trim().to_owned())
                }
                (QuestionKind::Text, Answer::Text(t)) => {
                    if t.chars().count() > MAX_TEXT_ANSWER_CHARS {
                        return Err(ValidationError::too_long(field, MAX_TEXT_ANSWER_CHARS));
                    }
                    Answer::Text(t.trim().to_owned())
                }
                (QuestionKind::Score { .. }, _) => {
                    return Err(ValidationError::coded(
                        field,
                        crate::error::ReasonCode::InvalidFormat,
                        "must be a whole number",
                    ));
                }
                (_, _) => {
                    return Err(ValidationError::coded(
                        field,
                        crate::error::ReasonCode::InvalidFormat,
                        "must be text",
                    ));
                }
            };
            clean.insert(q.key.clone(), valid);
        }
        Ok(clean)
    }

    /// The key of the first score question, whose answers the dashboard averages.
    pub fn score_key(&self) -> Option<&str> {
        self.questions
            .iter()
            .find(|q| matches!(q.kind, QuestionKind::Score { .. }))
            .map(|q| q.key.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, Answer)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn the_default_questionnaire_is_the_vendor_one() {
        let def = QuestionnaireDefinition::default();
        assert_eq!(def.questions.len(), 8);
        assert!(def.check().is_ok());
        assert_eq!(def.score_key(), Some("overall"));
    }

    #[test]
    fn the_overall_score_is_required() {
        let def = QuestionnaireDefinition::default();
        let err = def.validate(&Answers::new()).err();
        assert_eq!(err.map(|e| e.field), Some("answers.overall".to_owned()));
    }

    #[test]
    fn scores_out_of_range_are_refused() {
        let def = QuestionnaireDefinition::default();
        let err = def
            .validate(&answers(&[("overall", Answer::Score(11))]))
            .err();
        assert_eq!(
            err.map(|e| e.reason),
            Some("must be between 0 and 10".to_owned())
        );
    }

    #[test]
    fn unknown_questions_and_options_are_refused() {
        let def = QuestionnaireDefinition::default();
        let unknown = def.validate(&answers(&[
            ("overall", Answer::Score(5)),
            ("mood", Answer::Score(1)),
        ]));
        assert_eq!(
            unknown.err().map(|e| e.field),
            Some("answers.mood".to_owned())
        );
        let bad_option = def.validate(&answers(&[
            ("overall", Answer::Score(5)),
            ("human", Answer::Text("ecstatic".into())),
        ]));
        assert_eq!(
            bad_option.err().map(|e| e.field),
            Some("answers.human".to_owned())
        );
    }

    #[test]
    fn complete_answers_validate_and_blank_comments_drop() {
        let def = QuestionnaireDefinition::default();
        let clean = def.validate(&answers(&[
            ("overall", Answer::Score(9)),
            ("solution", Answer::Text("very_satisfied".into())),
            ("comment", Answer::Text("  ".into())),
        ]));
        let clean = clean.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(clean.len(), 2);
        assert!(!clean.contains_key("comment"));
    }

    #[test]
    fn duplicate_keys_make_a_definition_invalid() {
        let mut def = QuestionnaireDefinition::default();
        def.questions.push(def.questions[0].clone());
        assert!(def.check().is_err());
    }

    #[test]
    fn choice_options_must_be_unique_visible_one_line_keys() {
        for (options, field) in [
            (vec!["ok", "ok"], "questions[0].kind.options[1]"),
            (vec!["ok", "\u{200b}"], "questions[0].kind.options[1]"),
            (vec!["a\nb"], "questions[0].kind.options[0]"),
        ] {
            let def = QuestionnaireDefinition {
                questions: vec![Question {
                    key: "q".into(),
                    label: "Q".into(),
                    required: false,
                    kind: QuestionKind::Choice {
                        options: options.into_iter().map(str::to_owned).collect(),
                    },
                }],
            };
            assert_eq!(def.check().err().map(|e| e.field).as_deref(), Some(field));
        }
        let too_many = QuestionnaireDefinition {
            questions: vec![
                QuestionnaireDefinition::default().questions[1].clone();
                MAX_QUESTIONS + 1
            ],
        };
        assert_eq!(
            too_many.check().err().map(|e| e.field).as_deref(),
            Some("questions")
        );
    }
}
