//! The background worker on the tiny fixture model: loading, generation events, cancellation
//! within one decode step, and errors reported as events while the thread keeps serving.

use crate::fixtures::{fixture_copy, fixture_dir};
use serde_json::Value;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use textchem::model::folder::check_folder;
use textchem::model::source::ModelSource;
use textchem::model::task::{Task, clean_output};
use textchem::runtime::Device;
use textchem::runtime::engine::{Engine, GenerateOptions};
use textchem::runtime::worker::{Command, Event, RequestId, Worker};

const WAIT: Duration = Duration::from_secs(120);

fn load_command(dir: &Path) -> Command {
    Command::Load {
        source: ModelSource::Folder(dir.to_path_buf()),
        device: Device::Cpu,
    }
}

/// A worker whose wake callback counts its calls, then runs `also`.
fn worker_counting_wakes(also: impl Fn() + Send + Sync + 'static) -> (Worker, Arc<AtomicUsize>) {
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&wakes);
    let worker = Worker::spawn(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        also();
    });
    (worker, wakes)
}

/// A short description-to-molecule request: 2 beams, at most 16 tokens.
fn short_molecule_request() -> Command {
    Command::Generate {
        task: Task::Molecule,
        input: "a colourless liquid".into(),
        options: GenerateOptions {
            beams: 2,
            max_length: 16,
        },
    }
}

/// Every event of request `id` up to and including its final one (events of other ids are
/// not expected here).
fn events_until_final(worker: &Worker, id: RequestId) -> Vec<Event> {
    let deadline = Instant::now() + WAIT;
    let mut events = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = worker
            .recv_timeout(left)
            .unwrap_or_else(|| panic!("no final event for request {id}; got {events:?}"));
        assert_eq!(event.id(), id, "{event:?}");
        let done = event.is_final();
        events.push(event);
        if done {
            return events;
        }
    }
}

fn load(worker: &Worker, dir: &Path) -> Vec<Event> {
    let id = worker.submit(load_command(dir));
    let events = events_until_final(worker, id);
    assert!(
        matches!(events.last(), Some(Event::Loaded { .. })),
        "{events:?}"
    );
    events
}

fn progress_steps(events: &[Event]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Progress { step, .. } => Some(*step),
            _ => None,
        })
        .collect()
}

/// The tiny fixture models were trained to reverse their input, so a long input makes a long
/// answer: generation that runs until cancelled.
fn long_input() -> String {
    "CC(=O)Oc1ccccc1C(=O)O.".repeat(12) + "CCO"
}

#[test]
fn loading_reports_stages_then_loaded_and_generation_matches_hf_beam_search() {
    let dir = fixture_copy("t5-tiny-a");
    let (worker, wakes) = worker_counting_wakes(|| {});
    let load_events = load(&worker, dir.path());
    assert!(
        load_events.iter().any(
            |e| matches!(e, Event::Loading { stage, .. } if stage.contains("model.safetensors"))
        ),
        "{load_events:?}"
    );
    assert_eq!(
        load_events.last(),
        Some(&Event::Loaded {
            id: 1,
            model: dir.path().display().to_string(),
            device: "CPU".into(),
        })
    );

    // HF transformers 4.57.6's beam-5 search on the same prompt (tests/fixtures/model).
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_dir("t5-tiny-a").with_extension("reference.json"))
            .unwrap(),
    )
    .unwrap();
    let case = &reference["generation"]["beam5"][7];
    let prompt = case["input"].as_str().unwrap();
    let input = prompt.strip_prefix(Task::Forward.prefix()).unwrap();
    let sequences: Vec<Vec<u32>> = serde_json::from_value(case["sequences"].clone()).unwrap();
    let scores: Vec<f32> = serde_json::from_value(case["sequences_scores"].clone()).unwrap();
    let options = GenerateOptions {
        beams: 5,
        max_length: case["max_length"].as_u64().unwrap() as usize,
    };
    let id = worker.submit(Command::Generate {
        task: Task::Forward,
        input: input.to_owned(),
        options,
    });
    assert_eq!(id, 2);
    let events = events_until_final(&worker, id);
    let steps = progress_steps(&events);
    assert_eq!(steps, (1..=steps.len()).collect::<Vec<_>>(), "{events:?}");
    assert!(events.iter().all(
        |e| !matches!(e, Event::Progress { max_steps, .. } if *max_steps != options.max_length - 1)
    ));
    let Some(Event::Finished { answer, .. }) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(answer.task, "forward");
    assert_eq!(answer.input, input);
    let tokenizer = textchem::model::tokenizer::build_from_folder(dir.path()).unwrap();
    assert_eq!(answer.results.len(), 5);
    for (i, (result, (seq, score))) in answer
        .results
        .iter()
        .zip(sequences.iter().zip(&scores))
        .enumerate()
    {
        assert_eq!(result.rank, i + 1);
        assert_eq!(
            result.text,
            clean_output(Task::Forward, &tokenizer, seq).unwrap()
        );
        assert!(
            (result.score - score).abs() <= 1e-4,
            "{result:?} vs {score}"
        );
        // A SMILES task: every answer carries the reader's verdict.
        assert!(result.valid.is_some());
        assert_eq!(
            result.valid == Some(true),
            result.canonical_smiles.is_some()
        );
        assert_eq!(result.valid == Some(false), result.error.is_some());
    }

    // `wake` ran once per event (it is called right after each send).
    let received = load_events.len() + events.len();
    let deadline = Instant::now() + Duration::from_secs(5);
    while wakes.load(Ordering::SeqCst) < received && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(wakes.load(Ordering::SeqCst), received);
}

#[test]
fn caption_reports_progress_and_partial_text_then_ranked_text_answers() {
    let dir = fixture_copy("t5-tiny-b");
    let worker = Worker::spawn(|| {});
    load(&worker, dir.path());
    let options = GenerateOptions {
        beams: 3,
        max_length: 64,
    };
    let started = Instant::now();
    let id = worker.submit(Command::Generate {
        task: Task::Caption,
        input: "CC(=O)Oc1ccccc1C(=O)O".into(),
        options,
    });
    let events = events_until_final(&worker, id);
    let elapsed = started.elapsed();
    assert!(!progress_steps(&events).is_empty(), "{events:?}");
    // Partial output is throttled to about ten a second (the first one comes at once).
    let partials = events
        .iter()
        .filter(|e| matches!(e, Event::Partial { .. }))
        .count();
    assert!(partials >= 1);
    assert!(
        partials as f64 <= 1.0 + elapsed.as_secs_f64() * 10.0,
        "{partials} partials in {elapsed:?}"
    );
    let Some(Event::Finished { answer, .. }) = events.last() else {
        panic!("{events:?}")
    };
    // The same answer the synchronous engine gives; text answers are not checked as SMILES.
    let files = check_folder(dir.path()).unwrap();
    let engine = Engine::load(&files, &dir.path().display().to_string()).unwrap();
    let direct = engine
        .run(
            Task::Caption,
            "CC(=O)Oc1ccccc1C(=O)O",
            &options,
            &mut |_| ControlFlow::Continue(()),
        )
        .unwrap();
    assert_eq!(answer, &direct);
    assert_eq!(answer.results.len(), 3);
    assert!(
        answer
            .results
            .windows(2)
            .all(|w| w[0].score >= w[1].score && w[1].rank == w[0].rank + 1)
    );
    assert!(answer.results.iter().all(|r| r.valid.is_none()
        && r.canonical_smiles.is_none()
        && r.error.is_none()
        && !r.text.is_empty()));
}

#[test]
fn cancel_stops_generation_within_one_decode_step() {
    let dir = fixture_copy("t5-tiny-a");
    // While the test holds `pause`, the worker blocks right after sending an event: the test
    // knows exactly which step the worker had reached when it cancelled.
    let pause = Arc::new(Mutex::new(()));
    let gate = Arc::clone(&pause);
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&wakes);
    let worker = Worker::spawn(move || {
        drop(gate.lock().unwrap_or_else(|e| e.into_inner()));
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let mut received = load(&worker, dir.path()).len();
    // Pausing is only safe once the worker finished waking for every event sent so far;
    // otherwise it would block in the wake of the previous request's last event.
    let idle = |received: usize| {
        let deadline = Instant::now() + WAIT;
        while wakes.load(Ordering::SeqCst) < received {
            assert!(
                Instant::now() < deadline,
                "the worker never finished waking"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    let generate = Command::Generate {
        task: Task::Forward,
        input: long_input(),
        options: GenerateOptions {
            beams: 4,
            max_length: 512,
        },
    };

    // Uncancelled, this request runs for many steps.
    let full = events_until_final(&worker, worker.submit(generate.clone()));
    let full_steps = progress_steps(&full).len();
    assert!(full_steps > 50, "only {full_steps} steps");
    received += full.len();

    idle(received);
    let guard = pause.lock().unwrap();
    let id = worker.submit(generate.clone());
    let first = worker.recv_timeout(WAIT).unwrap();
    let Event::Progress {
        step: at_cancel, ..
    } = first
    else {
        panic!("{first:?}")
    };
    worker.cancel(id);
    drop(guard);
    let rest = events_until_final(&worker, id);
    received += 1 + rest.len();
    assert_eq!(rest.last(), Some(&Event::Cancelled { id }), "{rest:?}");
    let after: Vec<usize> = progress_steps(&rest);
    assert!(
        after.iter().all(|&s| s <= at_cancel + 1),
        "cancelled at step {at_cancel}, then ran {after:?}"
    );

    // Cancelling from another thread while the worker runs freely.
    let id = worker.submit(generate.clone());
    let mut seen = Vec::new();
    loop {
        let event = worker.recv_timeout(WAIT).unwrap();
        let started = matches!(event, Event::Progress { step, .. } if step >= 3);
        seen.push(event);
        if started {
            break;
        }
    }
    worker.cancel(id);
    seen.extend(events_until_final(&worker, id));
    assert_eq!(seen.last(), Some(&Event::Cancelled { id }), "{seen:?}");
    received += seen.len();

    // A request cancelled while queued never starts; the one after it runs normally.
    idle(received);
    let guard = pause.lock().unwrap();
    let running = worker.submit(generate.clone());
    let queued = worker.submit(generate);
    let next = worker.submit(Command::Generate {
        task: Task::Forward,
        input: "CCO".into(),
        options: GenerateOptions {
            beams: 2,
            max_length: 20,
        },
    });
    worker.cancel(running);
    worker.cancel(queued);
    drop(guard);
    let ran = events_until_final(&worker, running);
    assert_eq!(ran.last(), Some(&Event::Cancelled { id: running }));
    assert_eq!(
        events_until_final(&worker, queued),
        vec![Event::Cancelled { id: queued }]
    );
    let last = events_until_final(&worker, next);
    assert!(
        matches!(last.last(), Some(Event::Finished { .. })),
        "{last:?}"
    );
}

#[test]
fn generate_before_load_fails_with_advice_and_the_worker_keeps_serving() {
    let dir = fixture_copy("t5-tiny-b");
    let worker = Worker::spawn(|| {});
    let generate = short_molecule_request();
    let id = worker.submit(generate.clone());
    assert_eq!(id, 1);
    let events = events_until_final(&worker, id);
    let [Event::Failed { message, .. }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert!(
        message.starts_with("no model loaded") && message.contains("folder"),
        "{message}"
    );

    load(&worker, dir.path());
    let events = events_until_final(&worker, worker.submit(generate));
    assert!(
        matches!(events.last(), Some(Event::Finished { answer, .. }) if answer.results.len() == 2),
        "{events:?}"
    );
}

fn failed_message(events: &[Event]) -> &str {
    match events.last() {
        Some(Event::Failed { message, .. }) => message,
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[test]
fn bad_folders_fail_naming_the_file_and_the_loaded_model_stays() {
    let good = fixture_copy("t5-tiny-a");
    let worker = Worker::spawn(|| {});
    load(&worker, good.path());

    let missing = good.path().join("no-such-model");
    let events = events_until_final(&worker, worker.submit(load_command(&missing)));
    let message = failed_message(&events);
    assert!(
        message.contains("no-such-model") && message.contains("does not exist"),
        "{message}"
    );

    let truncated = fixture_copy("t5-tiny-a");
    let weights = truncated.path().join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let events = events_until_final(&worker, worker.submit(load_command(truncated.path())));
    let message = failed_message(&events);
    assert!(
        message.contains("model.safetensors") && message.contains("damaged"),
        "{message}"
    );

    let no_spiece = fixture_copy("t5-tiny-a");
    std::fs::write(no_spiece.path().join("spiece.model"), b"\x0a\xff").unwrap();
    let events = events_until_final(&worker, worker.submit(load_command(no_spiece.path())));
    let message = failed_message(&events);
    assert!(
        message.contains("spiece.model") && message.contains("corrupt"),
        "{message}"
    );

    // Bad options fail the request, not the thread.
    let bad = Command::Generate {
        task: Task::Retro,
        input: "CCO".into(),
        options: GenerateOptions {
            beams: 0,
            max_length: 16,
        },
    };
    let events = events_until_final(&worker, worker.submit(bad));
    assert!(failed_message(&events).contains("beam"));

    // The first model still answers.
    let events = events_until_final(
        &worker,
        worker.submit(Command::Generate {
            task: Task::Retro,
            input: "CCO".into(),
            options: GenerateOptions {
                beams: 1,
                max_length: 16,
            },
        }),
    );
    let Some(Event::Finished { answer, .. }) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(answer.model, good.path().display().to_string());
    assert_eq!(answer.results.len(), 1);
}

#[test]
fn dropping_the_worker_stops_generation_and_joins() {
    let dir = fixture_copy("t5-tiny-a");
    let worker = Worker::spawn(|| {});
    load(&worker, dir.path());
    worker.submit(Command::Generate {
        task: Task::Forward,
        input: long_input(),
        options: GenerateOptions {
            beams: 4,
            max_length: 512,
        },
    });
    assert!(matches!(
        worker.recv_timeout(WAIT),
        Some(Event::Progress { .. })
    ));
    let started = Instant::now();
    drop(worker);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_panicking_wake_callback_loses_no_event_and_the_worker_keeps_serving() {
    let dir = fixture_copy("t5-tiny-b");
    let (worker, wakes) = worker_counting_wakes(|| panic!("repaint failed"));
    let generate = short_molecule_request();
    // Every event still arrives, in order, although each wake panicked.
    let failed = events_until_final(&worker, worker.submit(generate.clone()));
    assert!(failed_message(&failed).starts_with("no model loaded"));
    load(&worker, dir.path());
    let events = events_until_final(&worker, worker.submit(generate));
    let Some(Event::Finished { answer, .. }) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(answer.results.len(), 2);
    assert!(wakes.load(Ordering::Relaxed) >= 3);
}
