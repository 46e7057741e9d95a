import type { Puzzle } from '../../../shared/ipc/routes/soup';

/** Small puzzles written for the tests (the shipped pack may change; these do not). */
export const FIXTURE_PUZZLES: Puzzle[] = [
  {
    id: 'test-albatross',
    title: 'Albatross soup',
    difficulty: 'medium',
    surface: 'A man orders albatross soup at a seaside restaurant, takes one spoonful, goes home and ends his life.',
    hidden:
      'Years ago the man was shipwrecked on an island with his wife, who died. The other survivors fed him soup they said was albatross, but it was his dead wife. Tasting real albatross, he realised what he had eaten.',
    keyFacts: [
      'The man was shipwrecked on an island',
      'His wife died during the shipwreck',
      'The survivors fed him human flesh and called it albatross',
      'Real albatross soup tasted different, so he realised he had eaten his wife',
    ],
    hints: ['He had eaten "albatross" once before.', 'He had been stranded at sea.', 'Someone he loved did not come home.'],
    questions: [
      { question: 'Was the soup poisoned?', answer: 'no' },
      { question: 'Had he eaten albatross before?', answer: 'yes-and-no' },
      { question: 'Was he ever shipwrecked?', answer: 'yes' },
      { question: 'Is the colour of the restaurant important?', answer: 'irrelevant' },
      { question: 'Did someone he loved die?', answer: 'yes' },
      { question: 'Was the waiter involved?', answer: 'no' },
      { question: 'Did he eat human flesh?', answer: 'yes' },
      { question: 'Did it rain that day?', answer: 'irrelevant' },
    ],
  },
  {
    id: 'test-lighthouse',
    title: 'The dark lighthouse',
    difficulty: 'easy',
    surface: 'A woman turns off a light before going to bed. The next morning she hears the news and is devastated.',
    hidden:
      'The woman was a lighthouse keeper. She switched off the lighthouse lamp to save electricity, and during the night a passenger ship crashed into the rocks and sank.',
    keyFacts: ['The woman was a lighthouse keeper', 'She switched off the lighthouse lamp', 'A ship crashed into the rocks in the dark'],
    hints: ['It was not an ordinary light.', 'She worked by the sea.'],
    questions: [
      { question: 'Did someone die?', answer: 'yes' },
      { question: 'Was it a lamp in her bedroom?', answer: 'no' },
      { question: 'Does she live near the sea?', answer: 'yes' },
      { question: 'Is her age important?', answer: 'irrelevant' },
      { question: 'Was a ship involved?', answer: 'yes' },
      { question: 'Did she hurt anyone on purpose?', answer: 'no' },
      { question: 'Was it her job to keep the light on?', answer: 'yes' },
      { question: 'Did she have a cat?', answer: 'irrelevant' },
    ],
  },
  {
    id: 'test-elevator',
    title: 'Tenth floor',
    difficulty: 'easy',
    surface: 'Every morning a man takes the elevator down from the tenth floor. Coming home, he rides to the seventh floor and walks up the stairs, except on rainy days.',
    hidden:
      'The man is very short and can only reach the button for the seventh floor. On rainy days he carries an umbrella, which he uses to press the button for the tenth floor.',
    keyFacts: ['The man is very short', 'He cannot reach the elevator button for the tenth floor', 'On rainy days he presses the button with his umbrella'],
    hints: ['It has to do with his body.', 'What does he carry when it rains?', 'Think about the buttons.'],
    questions: [
      { question: 'Does he like exercise?', answer: 'no' },
      { question: 'Is he short?', answer: 'yes' },
      { question: 'Does he carry an umbrella when it rains?', answer: 'yes' },
      { question: 'Is the elevator broken?', answer: 'no' },
      { question: 'Is the building colour important?', answer: 'irrelevant' },
      { question: 'Does he live alone?', answer: 'irrelevant' },
      { question: 'Can he reach every button?', answer: 'no' },
      { question: 'Does the weather matter?', answer: 'yes' },
    ],
  },
];
